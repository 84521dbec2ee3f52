-- The rollups kept at three grains (0 hour, 1 day, 2 week from Monday 00:00 UTC; `hour` is the
-- row's first hour), so a long range reads its weeks and the days and hours at its edges. The
-- tables keep their rows in key order (SQLite: WITHOUT ROWID), so a piece is read in one sweep. The
-- rollups are always rebuilt from the event log: the old tables go, and emptying the facts makes
-- the analytics sweep fold every conversation again from the start of the log.

DROP TABLE rollups;
DROP TABLE rollup_counts;
DROP TABLE agent_rollups;
DELETE FROM conversation_facts;

CREATE TABLE rollups (
    tenant_id TEXT NOT NULL,
    grain INTEGER NOT NULL,
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
    PRIMARY KEY (tenant_id, grain, hour, team, channel, lang, topic)
) WITHOUT ROWID;

CREATE TABLE rollup_counts (
    tenant_id TEXT NOT NULL,
    grain INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, grain, hour, team, channel, lang, topic, key)
) WITHOUT ROWID;

CREATE TABLE agent_rollups (
    tenant_id TEXT NOT NULL,
    grain INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    conversations INTEGER NOT NULL DEFAULT 0,
    replies INTEGER NOT NULL DEFAULT 0,
    assisted INTEGER NOT NULL DEFAULT 0,
    human_resolved INTEGER NOT NULL DEFAULT 0,
    csat_sum INTEGER NOT NULL DEFAULT 0,
    csat_n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, grain, hour, agent_id)
) WITHOUT ROWID;
