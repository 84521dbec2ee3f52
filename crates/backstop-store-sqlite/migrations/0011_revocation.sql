-- Sessions issued before an agent's sessions were ended (sign out everywhere, new password,
-- deactivation, less access) never count: a sign-in that was already being checked when they were
-- ended cannot leave a session behind.
ALTER TABLE agents ADD COLUMN sessions_after INTEGER;

-- Visitor tokens of customers whose e-mail is only claimed are dropped: one made by claiming
-- someone's e-mail before 0010 could still be linked to the record that person's verified sessions
-- used. The visitor starts a new session; the conversations stay for the agents.
DELETE FROM visitors WHERE customer_id IN
    (SELECT id FROM customers WHERE email IS NOT NULL AND email_verified = 0);
