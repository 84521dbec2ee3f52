-- Analytics: each conversation's facts (its rollup key, outcome and what it adds to the rollups,
-- replaced whole when its events change) and the hourly rollups the dashboard reads: the sums of
-- backstop_core::analytics::Sum (one column each, in that order), keyed counts (hand-over reasons,
-- ratings, moods, duration buckets) and each agent's share. The rollups are always the sum of the
-- conversations' stored contributions, so they can be cleared and rebuilt from the event log.

CREATE TABLE conversation_facts (
    tenant_id TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL,
    hour BIGINT NOT NULL,
    team TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    lang TEXT COLLATE "C" NOT NULL,
    topic TEXT COLLATE "C" NOT NULL,
    outcome TEXT,
    is_final BIGINT NOT NULL,
    final_at BIGINT NOT NULL,
    last_event_id BIGINT NOT NULL,
    contribution TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX conversation_facts_hour ON conversation_facts (tenant_id, hour);
CREATE INDEX conversation_facts_due ON conversation_facts (final_at) WHERE is_final = 0;
CREATE INDEX conversation_facts_event ON conversation_facts (last_event_id);

CREATE TABLE rollups (
    tenant_id TEXT COLLATE "C" NOT NULL,
    hour BIGINT NOT NULL,
    team TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    lang TEXT COLLATE "C" NOT NULL,
    topic TEXT COLLATE "C" NOT NULL,
    conversations BIGINT NOT NULL DEFAULT 0,
    unsettled BIGINT NOT NULL DEFAULT 0,
    ai_resolved BIGINT NOT NULL DEFAULT 0,
    ai_confirmed BIGINT NOT NULL DEFAULT 0,
    assisted BIGINT NOT NULL DEFAULT 0,
    human_resolved BIGINT NOT NULL DEFAULT 0,
    abandoned BIGINT NOT NULL DEFAULT 0,
    settled BIGINT NOT NULL DEFAULT 0,
    handed_over BIGINT NOT NULL DEFAULT 0,
    person_reached BIGINT NOT NULL DEFAULT 0,
    customer_messages BIGINT NOT NULL DEFAULT 0,
    ai_messages BIGINT NOT NULL DEFAULT 0,
    agent_messages BIGINT NOT NULL DEFAULT 0,
    ai_turns BIGINT NOT NULL DEFAULT 0,
    ttp_ms BIGINT NOT NULL DEFAULT 0,
    ttp_n BIGINT NOT NULL DEFAULT 0,
    frt_ms BIGINT NOT NULL DEFAULT 0,
    frt_n BIGINT NOT NULL DEFAULT 0,
    resolution_ms BIGINT NOT NULL DEFAULT 0,
    resolution_n BIGINT NOT NULL DEFAULT 0,
    sla_met BIGINT NOT NULL DEFAULT 0,
    sla_missed BIGINT NOT NULL DEFAULT 0,
    tickets BIGINT NOT NULL DEFAULT 0,
    csat_sum BIGINT NOT NULL DEFAULT 0,
    csat_n BIGINT NOT NULL DEFAULT 0,
    reopens BIGINT NOT NULL DEFAULT 0,
    copilot_as_is BIGINT NOT NULL DEFAULT 0,
    copilot_edited BIGINT NOT NULL DEFAULT 0,
    copilot_ignored BIGINT NOT NULL DEFAULT 0,
    prompt_tokens BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    model_calls BIGINT NOT NULL DEFAULT 0,
    action_calls BIGINT NOT NULL DEFAULT 0,
    angry BIGINT NOT NULL DEFAULT 0,
    inflections BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, team, channel, lang, topic)
);

CREATE TABLE rollup_counts (
    tenant_id TEXT COLLATE "C" NOT NULL,
    hour BIGINT NOT NULL,
    team TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    lang TEXT COLLATE "C" NOT NULL,
    topic TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, team, channel, lang, topic, key)
);

CREATE TABLE agent_rollups (
    tenant_id TEXT COLLATE "C" NOT NULL,
    hour BIGINT NOT NULL,
    agent_id TEXT COLLATE "C" NOT NULL,
    conversations BIGINT NOT NULL DEFAULT 0,
    replies BIGINT NOT NULL DEFAULT 0,
    assisted BIGINT NOT NULL DEFAULT 0,
    human_resolved BIGINT NOT NULL DEFAULT 0,
    csat_sum BIGINT NOT NULL DEFAULT 0,
    csat_n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, agent_id)
);
