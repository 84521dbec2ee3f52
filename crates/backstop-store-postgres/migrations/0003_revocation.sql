-- The SQLite backend's 0011: sessions issued before an agent's sessions were ended never count;
-- visitor tokens of customers whose e-mail is only claimed are dropped.
ALTER TABLE agents ADD COLUMN sessions_after BIGINT;

DELETE FROM visitors WHERE customer_id IN
    (SELECT id FROM customers WHERE email IS NOT NULL AND email_verified = 0);
