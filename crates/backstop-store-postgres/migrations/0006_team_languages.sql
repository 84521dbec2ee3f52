-- The customer languages a team serves (a JSON array of ISO 639-1 codes; empty: every language):
-- a hand-over goes to the team of its role that names the customer's language.
ALTER TABLE teams ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
