-- Full-text search over listings in PostgreSQL: the default search adapter, and the fallback when
-- Elasticsearch is down. 'simple' configuration: no stemming, so English and Korean words are
-- matched as written; pg_trgm adds typo tolerance and partial matches on titles.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Extra words a feature module wants found (dataset column names, a model's task and template).
ALTER TABLE listings ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';
-- Tags as one string, kept by the app, because array_to_string is not immutable.
ALTER TABLE listings ADD COLUMN tag_text TEXT NOT NULL DEFAULT '';

ALTER TABLE listings ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') ||
    setweight(to_tsvector('simple', tag_text), 'B') ||
    setweight(to_tsvector('simple', search_terms), 'C') ||
    setweight(to_tsvector('simple', description), 'D')
) STORED;

CREATE INDEX listings_search ON listings USING GIN (search_vector);
CREATE INDEX listings_title_trgm ON listings USING GIN (lower(title) gin_trgm_ops);
