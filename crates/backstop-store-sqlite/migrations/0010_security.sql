-- Identity and account security.
-- A customer's e-mail is verified only when the host site signed it (user_hash) or an operator
-- created the customer. Rows from before this migration cannot tell a visitor's unverified claim
-- from a verified session, so only operator-made customers (the ones with tags, which only the
-- seed and admin tools set) keep theirs: a verified session never adopts a claimed record.
ALTER TABLE customers ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
UPDATE customers SET email_verified = 1 WHERE email IS NOT NULL AND tags != '[]';
DROP INDEX customers_email;
CREATE INDEX customers_email ON customers (tenant_id, email_lower, email_verified);

-- A visitor's next conversation is reserved by id and created with its first message.
ALTER TABLE visitors ADD COLUMN pending_conversation TEXT;

-- Deactivated agents, failed sign-ins and temporary locks.
ALTER TABLE agents ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agents ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN locked_until INTEGER;

-- Sessions end after a while unused; all of an agent's sessions can be ended at once.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_agent ON sessions (tenant_id, agent_id);
