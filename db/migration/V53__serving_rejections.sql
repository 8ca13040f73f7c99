-- A serving worker caught giving a wrong answer (a shadow call of another provider's worker disagreed) stops serving
-- on every instance: the gateway that caught it drops it at once, and every instance's worker API refuses its polls
-- from this mark (the gateway's queues are per instance, the mark is shared).
ALTER TABLE workers ADD COLUMN serving_rejected_at TIMESTAMPTZ;
ALTER TABLE workers ADD COLUMN serving_rejected_reason TEXT;
