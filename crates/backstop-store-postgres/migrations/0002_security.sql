-- Identity and account security (the SQLite backend's 0010).
-- A customer's e-mail is verified only when the host site signed it (user_hash) or an operator
-- created the customer; older rows keep theirs only when an operator made them (they have tags).
ALTER TABLE customers ADD COLUMN email_verified BIGINT NOT NULL DEFAULT 0;
UPDATE customers SET email_verified = 1 WHERE email IS NOT NULL AND tags != '[]';
DROP INDEX customers_email;
CREATE INDEX customers_email ON customers (tenant_id, email_lower, email_verified);

-- A visitor's next conversation is reserved by id and created with its first message.
ALTER TABLE visitors ADD COLUMN pending_conversation TEXT COLLATE "C";

-- Deactivated agents, failed sign-ins and temporary locks.
ALTER TABLE agents ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN locked_until BIGINT;

-- Sessions end after a while unused; all of an agent's sessions can be ended at once.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_agent ON sessions (tenant_id, agent_id);
