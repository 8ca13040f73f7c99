-- Serving across app instances (issue 14): each instance lists the serving workers that long-poll it, with the models
-- they hold, and the URL the other instances forward calls to; rewritten by its heartbeat every few seconds
-- (serving.internal.ServingPeers). A row not seen for three heartbeats belongs to an instance that died or lost the
-- worker: it is ignored, and deleted by the next heartbeat of any instance. Nothing else refers to these rows.
CREATE TABLE serving_routes (
    instance_id              TEXT           NOT NULL,
    instance_url             TEXT           NOT NULL,
    worker_id                BIGINT         NOT NULL,
    provider_id              BIGINT         NOT NULL,
    price_per_gpu_second_aic NUMERIC(38, 18) NOT NULL,
    -- the weights keys of the models the worker holds in memory or was sent calls of
    models                   TEXT[]         NOT NULL,
    queued_rows              INTEGER        NOT NULL,
    seen_at                  TIMESTAMPTZ    NOT NULL DEFAULT now(),
    PRIMARY KEY (instance_id, worker_id)
);
CREATE INDEX serving_routes_seen_at ON serving_routes (seen_at);
