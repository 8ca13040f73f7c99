-- Indexes for PostgreSQL search over many listings (PostgresSearchBackend): the sample bucket of V39,
-- and creation time (then id), which bounds the matches ranked by relevance to the newest ones when there are
-- many. Built CONCURRENTLY, so that a running plaza keeps writing listings while a large table is
-- indexed; Flyway runs this file outside a transaction for that (and needs
-- spring.flyway.postgresql.transactional-lock=false, else the build waits on Flyway's own lock).
-- A failed build leaves an INVALID index behind: each is dropped first, so a rerun starts clean.
DROP INDEX CONCURRENTLY IF EXISTS listings_search_sample;
CREATE INDEX CONCURRENTLY listings_search_sample ON listings ((hashint8(id) & 63)) WHERE status = 'PUBLISHED';
DROP INDEX CONCURRENTLY IF EXISTS listings_search_created;
CREATE INDEX CONCURRENTLY listings_search_created ON listings (created_at, id) WHERE status = 'PUBLISHED';
