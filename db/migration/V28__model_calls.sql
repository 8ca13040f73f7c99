-- Every prediction a model answers, through its page ("try it") or the API: who called, how many instances,
-- how long it took, and whether it used the caller's free daily calls (members who are neither owner nor
-- licensee). The free quota is counted from these rows.
CREATE TABLE model_calls (
    id          BIGSERIAL PRIMARY KEY,
    model_id    BIGINT           NOT NULL REFERENCES listings (id),
    caller_id   BIGINT           NOT NULL REFERENCES users (id),
    via         VARCHAR(4)       NOT NULL CHECK (via IN ('PAGE', 'API')),
    instances   INT              NOT NULL CHECK (instances > 0),
    latency_ms  DOUBLE PRECISION NOT NULL CHECK (latency_ms >= 0),
    free_quota  BOOLEAN          NOT NULL,
    created_at  TIMESTAMPTZ      NOT NULL DEFAULT now()
);
CREATE INDEX model_calls_by_caller ON model_calls (caller_id, model_id, created_at);
CREATE INDEX model_calls_by_model ON model_calls (model_id, created_at);
