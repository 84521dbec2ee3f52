-- Analytics: each conversation's facts (its rollup key, outcome and what it adds to the rollups,
-- replaced whole when its events change) and the hourly rollups the dashboard reads: the sums of
-- backstop_core::analytics::Sum (one column each, in that order), keyed counts (hand-over reasons,
-- ratings, moods, duration buckets) and each agent's share. The rollups are always the sum of the
-- conversations' stored contributions, so they can be cleared and rebuilt from the event log.

CREATE TABLE conversation_facts (
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    outcome TEXT,
    is_final INTEGER NOT NULL,
    final_at INTEGER NOT NULL,
    last_event_id INTEGER NOT NULL,
    contribution TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX conversation_facts_hour ON conversation_facts (tenant_id, hour);
CREATE INDEX conversation_facts_due ON conversation_facts (final_at) WHERE is_final = 0;
CREATE INDEX conversation_facts_event ON conversation_facts (last_event_id);

CREATE TABLE rollups (
    tenant_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    conversations INTEGER NOT NULL DEFAULT 0,
    unsettled INTEGER NOT NULL DEFAULT 0,
    ai_resolved INTEGER NOT NULL DEFAULT 0,
    ai_confirmed INTEGER NOT NULL DEFAULT 0,
    assisted INTEGER NOT NULL DEFAULT 0,
    human_resolved INTEGER NOT NULL DEFAULT 0,
    abandoned INTEGER NOT NULL DEFAULT 0,
    settled INTEGER NOT NULL DEFAULT 0,
    handed_over INTEGER NOT NULL DEFAULT 0,
    person_reached INTEGER NOT NULL DEFAULT 0,
    customer_messages INTEGER NOT NULL DEFAULT 0,
    ai_messages INTEGER NOT NULL DEFAULT 0,
    agent_messages INTEGER NOT NULL DEFAULT 0,
    ai_turns INTEGER NOT NULL DEFAULT 0,
    ttp_ms INTEGER NOT NULL DEFAULT 0,
    ttp_n INTEGER NOT NULL DEFAULT 0,
    frt_ms INTEGER NOT NULL DEFAULT 0,
    frt_n INTEGER NOT NULL DEFAULT 0,
    resolution_ms INTEGER NOT NULL DEFAULT 0,
    resolution_n INTEGER NOT NULL DEFAULT 0,
    sla_met INTEGER NOT NULL DEFAULT 0,
    sla_missed INTEGER NOT NULL DEFAULT 0,
    tickets INTEGER NOT NULL DEFAULT 0,
    csat_sum INTEGER NOT NULL DEFAULT 0,
    csat_n INTEGER NOT NULL DEFAULT 0,
    reopens INTEGER NOT NULL DEFAULT 0,
    copilot_as_is INTEGER NOT NULL DEFAULT 0,
    copilot_edited INTEGER NOT NULL DEFAULT 0,
    copilot_ignored INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    model_calls INTEGER NOT NULL DEFAULT 0,
    action_calls INTEGER NOT NULL DEFAULT 0,
    angry INTEGER NOT NULL DEFAULT 0,
    inflections INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, team, channel, lang, topic)
);

CREATE TABLE rollup_counts (
    tenant_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, team, channel, lang, topic, key)
);

CREATE TABLE agent_rollups (
    tenant_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    conversations INTEGER NOT NULL DEFAULT 0,
    replies INTEGER NOT NULL DEFAULT 0,
    assisted INTEGER NOT NULL DEFAULT 0,
    human_resolved INTEGER NOT NULL DEFAULT 0,
    csat_sum INTEGER NOT NULL DEFAULT 0,
    csat_n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, agent_id)
);
