-- The hand-over service level: each conversation's SLA clock (JSON, see backstop_core::sla) and
-- its next deadline (microseconds since the epoch, NULL when nothing is watched) for the sweep;
-- each team's business hours and targets.
ALTER TABLE conversations ADD COLUMN sla TEXT;
ALTER TABLE conversations ADD COLUMN sla_due_at INTEGER;
CREATE INDEX conversations_sla_due ON conversations (sla_due_at) WHERE sla_due_at IS NOT NULL;
ALTER TABLE teams ADD COLUMN hours TEXT NOT NULL DEFAULT '{"timezone":"UTC","open":"always"}';
ALTER TABLE teams ADD COLUMN sla TEXT NOT NULL DEFAULT '{}';
