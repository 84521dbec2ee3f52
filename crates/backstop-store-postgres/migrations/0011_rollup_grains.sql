-- The rollups kept at three grains (0 hour, 1 day, 2 week from Monday 00:00 UTC; `hour` is the
-- row's first hour), so a long range reads its weeks and the days and hours at its edges. The
-- tables keep their rows in key order (on SQLite; PostgreSQL reads them through the key), so a piece is read in one sweep. The
-- rollups are always rebuilt from the event log: the old tables go, and emptying the facts makes
-- the analytics sweep fold every conversation again from the start of the log.

DROP TABLE rollups;
DROP TABLE rollup_counts;
DROP TABLE agent_rollups;
DELETE FROM conversation_facts;

CREATE TABLE rollups (
    tenant_id TEXT COLLATE "C" NOT NULL,
    grain BIGINT NOT NULL,
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
    PRIMARY KEY (tenant_id, grain, hour, team, channel, lang, topic)
);

CREATE TABLE rollup_counts (
    tenant_id TEXT COLLATE "C" NOT NULL,
    grain BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    team TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    lang TEXT COLLATE "C" NOT NULL,
    topic TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, grain, hour, team, channel, lang, topic, key)
);

CREATE TABLE agent_rollups (
    tenant_id TEXT COLLATE "C" NOT NULL,
    grain BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    agent_id TEXT COLLATE "C" NOT NULL,
    conversations BIGINT NOT NULL DEFAULT 0,
    replies BIGINT NOT NULL DEFAULT 0,
    assisted BIGINT NOT NULL DEFAULT 0,
    human_resolved BIGINT NOT NULL DEFAULT 0,
    csat_sum BIGINT NOT NULL DEFAULT 0,
    csat_n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, grain, hour, agent_id)
);
