-- The drill-down lists a range's conversations with one outcome, newest first: this index walks
-- them in that order and stops at the page's end, instead of reading every fact of the range.
CREATE INDEX conversation_facts_outcome ON conversation_facts (tenant_id, outcome, hour, conversation_id);
