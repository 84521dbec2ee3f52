-- Customer satisfaction: the rating a customer gave the resolved conversation (JSON
-- {"rating","comment","at"}), or NULL.
ALTER TABLE conversations ADD COLUMN csat TEXT;
