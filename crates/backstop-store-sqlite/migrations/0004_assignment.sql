-- Assignment: each agent's capacity and skills (JSON: {"capacity","languages","topics"}) and each
-- team's assignment strategy.
ALTER TABLE agents ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
ALTER TABLE teams ADD COLUMN strategy TEXT NOT NULL DEFAULT 'manual';
