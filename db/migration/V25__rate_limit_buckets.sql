-- Rate limits (platform/RateLimits): Bucket4j's token buckets, one row per rule and client (an address, an
-- account, a worker), shared by every instance. Bucket4j reads and writes the rows itself (SELECT ... FOR UPDATE);
-- a row whose bucket has refilled past its use expires (epoch milliseconds) and is swept.
CREATE TABLE rate_limit_buckets (
    id         text PRIMARY KEY,
    state      bytea,
    expires_at bigint
);

CREATE INDEX rate_limit_buckets_expires_at ON rate_limit_buckets (expires_at);
