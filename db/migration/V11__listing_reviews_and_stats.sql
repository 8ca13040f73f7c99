-- Reviews of listings by the people who hold a license to them: one per reviewer and listing,
-- editable; stars 1-5 and an optional text.
CREATE TABLE listing_reviews (
    listing_id  BIGINT      NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    reviewer_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stars       SMALLINT    NOT NULL CHECK (stars BETWEEN 1 AND 5),
    body        TEXT        NOT NULL DEFAULT '' CHECK (char_length(body) <= 2000),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (listing_id, reviewer_id)
);
CREATE INDEX listing_reviews_newest ON listing_reviews (listing_id, updated_at DESC);

-- What search sorts by, kept exact by the triggers below in the transaction that changes a license
-- or a review (increments, so concurrent changes add up and no change scans a listing's history):
-- licenses in force (popularity), reviews, their stars, and the rating: the average pulled toward
-- 3 stars by 5 imaginary reviews (a Bayesian average), so that one 5-star review does not outrank
-- a hundred 4.8 ones; NULL without reviews. revision counts the changes: added to the listing's
-- update time it versions the listing's search document.
CREATE TABLE listing_stats (
    listing_id  BIGINT PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    licenses    INT              NOT NULL DEFAULT 0 CHECK (licenses >= 0),
    reviews     INT              NOT NULL DEFAULT 0 CHECK (reviews >= 0),
    stars_total INT              NOT NULL DEFAULT 0 CHECK (stars_total >= 0),
    rating      DOUBLE PRECISION,
    revision    BIGINT           NOT NULL DEFAULT 1,
    updated_at  TIMESTAMPTZ      NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION bump_listing_stats(p_listing BIGINT, d_licenses INT, d_reviews INT, d_stars INT) RETURNS void
LANGUAGE sql AS $$
    -- The row to insert passes the CHECKs before ON CONFLICT turns it into an update, hence
    -- GREATEST: a decrement always finds the row its increment made.
    INSERT INTO listing_stats AS s (listing_id, licenses, reviews, stars_total, rating)
    SELECT p_listing, GREATEST(d_licenses, 0), GREATEST(d_reviews, 0), GREATEST(d_stars, 0),
           CASE WHEN d_reviews > 0 THEN (d_stars + 15.0) / (d_reviews + 5) END
    -- A listing being deleted takes its stats with it: nothing to count.
    WHERE EXISTS (SELECT 1 FROM listings WHERE id = p_listing)
    ON CONFLICT (listing_id) DO UPDATE SET
        licenses = s.licenses + d_licenses,
        reviews = s.reviews + d_reviews,
        stars_total = s.stars_total + d_stars,
        rating = CASE WHEN s.reviews + d_reviews > 0
                      THEN (s.stars_total + d_stars + 15.0) / (s.reviews + d_reviews + 5) END,
        revision = s.revision + 1,
        updated_at = clock_timestamp();
$$;

CREATE FUNCTION licenses_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND NOT OLD.revoked THEN
        PERFORM bump_listing_stats(OLD.listing_id, -1, 0, 0);
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.revoked THEN
        PERFORM bump_listing_stats(NEW.listing_id, 1, 0, 0);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER licenses_count AFTER INSERT OR DELETE OR UPDATE OF listing_id, revoked ON licenses
    FOR EACH ROW EXECUTE FUNCTION licenses_count();

CREATE FUNCTION reviews_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM bump_listing_stats(OLD.listing_id, 0, -1, -OLD.stars);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM bump_listing_stats(NEW.listing_id, 0, 1, NEW.stars);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reviews_count AFTER INSERT OR DELETE OR UPDATE OF listing_id, stars ON listing_reviews
    FOR EACH ROW EXECUTE FUNCTION reviews_count();

INSERT INTO listing_stats (listing_id, licenses)
SELECT listing_id, count(*) FROM licenses WHERE NOT revoked GROUP BY listing_id;
