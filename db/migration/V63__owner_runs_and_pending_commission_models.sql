-- An owner's run of their model on many records away from any request (a competition's code submission, a
-- commission's model) is served by the GPU fleet and metered as the owner's own call: recorded via 'RUN'.
ALTER TABLE model_calls DROP CONSTRAINT model_calls_via_check;
ALTER TABLE model_calls ADD CONSTRAINT model_calls_via_check CHECK (via IN ('PAGE', 'API', 'RUN'));

-- A commission's model is recorded PENDING as it is submitted and scored off the request: SCORED with its score, or
-- FAILED with the reason (a message key and its arguments), after which the developer may submit again.
ALTER TABLE commission_submissions
    ALTER COLUMN score DROP NOT NULL,
    ADD COLUMN status VARCHAR(7) NOT NULL DEFAULT 'SCORED' CHECK (status IN ('PENDING', 'SCORED', 'FAILED')),
    ADD COLUMN failure VARCHAR(100),
    ADD COLUMN failure_args JSONB,
    ADD COLUMN submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN started_at TIMESTAMPTZ,
    ADD CONSTRAINT commission_submissions_scored CHECK ((status = 'SCORED') = (score IS NOT NULL)),
    ADD CONSTRAINT commission_submissions_failed CHECK ((status = 'FAILED') = (failure IS NOT NULL));
ALTER TABLE commission_submissions ALTER COLUMN status SET DEFAULT 'PENDING';
CREATE INDEX commission_submissions_pending ON commission_submissions (id) WHERE status = 'PENDING';
