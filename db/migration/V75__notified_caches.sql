-- What each instance keeps in memory of the rows every API call reads (platform.NotifiedCache) is dropped on commit
-- of any change to them, by whichever writer: a NOTIFY in the format of platform.LiveUpdates (channel plaza_live,
-- payload "topic\nchanged\nKEY", an empty key for all).

-- A model's row as a call reads it (ModelService.seen): its listing's owner and status, and the model's own columns.
CREATE FUNCTION models_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plaza_live', E'models.cache\nchanged\n' || OLD.listing_id);
    RETURN NULL;
END $$;
CREATE TRIGGER models_changed AFTER UPDATE OR DELETE ON models
    FOR EACH ROW EXECUTE FUNCTION models_announce_change();

CREATE FUNCTION model_listings_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plaza_live', E'models.cache\nchanged\n' || OLD.id);
    RETURN NULL;
END $$;
CREATE TRIGGER model_listings_changed AFTER UPDATE OF owner_id, status, kind OR DELETE ON listings
    FOR EACH ROW WHEN (OLD.kind = 'MODEL') EXECUTE FUNCTION model_listings_announce_change();

-- An API token's holder (ApiTokenService.authenticate): the token, its member's names and roles. Rare changes, so
-- each drops every token kept. Not last_used_at, which calls themselves write.
CREATE FUNCTION api_token_holders_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plaza_live', E'api-tokens.cache\nchanged\n');
    RETURN NULL;
END $$;
CREATE TRIGGER api_tokens_changed AFTER UPDATE OF token_sha256, user_id OR DELETE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION api_token_holders_announce_change();
CREATE TRIGGER api_token_roles_changed AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION api_token_holders_announce_change();
CREATE TRIGGER api_token_users_changed AFTER UPDATE OF id, username, display_name OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION api_token_holders_announce_change();
