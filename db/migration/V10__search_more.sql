-- Everything search finds, in one shape: published listings, GPU offers and competitions. Both
-- search backends read it (PostgreSQL searches it, the Elasticsearch indexer copies rows from it),
-- so each kind's searchable text is defined once, here. Competitions expose public columns only:
-- never the solution, its key or any score. Conditions on the view reach the tables below it, so
-- their GIN indexes serve every kind (the listings' ones are from V2).
ALTER TABLE gpu_offers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') ||
    setweight(to_tsvector('simple', gpu_model || ' ' || region), 'C')
) STORED;
CREATE INDEX gpu_offers_search ON gpu_offers USING GIN (search_vector);
CREATE INDEX gpu_offers_title_trgm ON gpu_offers USING GIN (lower(title) gin_trgm_ops);

ALTER TABLE competitions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') ||
    setweight(to_tsvector('simple', metric), 'C') ||
    setweight(to_tsvector('simple', overview), 'D')
) STORED;
CREATE INDEX competitions_search ON competitions USING GIN (search_vector);
CREATE INDEX competitions_title_trgm ON competitions USING GIN (lower(title) gin_trgm_ops);

CREATE VIEW search_documents AS
SELECT id, kind, CAST(NULL AS varchar) AS slug, title, description, CAST(NULL AS text) AS detail, tags,
       search_terms, license, price_aic, CAST(NULL AS varchar) AS gpu_model, owner_id, created_at, search_vector
FROM listings
WHERE status = 'PUBLISHED'
UNION ALL
SELECT id, 'GPU_OFFER', NULL, title,
       concat_ws(' · ', gpu_model, round(gpu_memory_mb / 1024.0) || ' GB', region,
                 round(CAST(measured_score AS numeric)) || ' samples/s'),
       NULL, '{}', gpu_model || ' ' || region, NULL, price_per_hour_aic, gpu_model, provider_id, created_at,
       search_vector
FROM gpu_offers
UNION ALL
-- Entering a competition is free: price 0.
SELECT id, 'COMPETITION', slug, title, overview,
       metric || ' · ' || to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' – '
           || to_char(ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
       '{}', metric, NULL, 0, NULL, host_id, created_at, search_vector
FROM competitions;
