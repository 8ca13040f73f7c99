-- Discussions (discussion module): threads of a competition and their posts. A thread's first post (opening) holds
-- its text; deleting the thread deletes that post. Posts are deleted softly: the row stays with who deleted it and
-- why, so a reply chain keeps its place ("removed by a moderator"); the text is cleared.
CREATE TABLE discussion_threads (
    id             BIGSERIAL PRIMARY KEY,
    competition_id BIGINT       NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    author_id      BIGINT       NOT NULL REFERENCES users (id),
    title          VARCHAR(140) NOT NULL CHECK (length(btrim(title)) > 0),
    -- Host announcements: only the competition's host or an admin pins (checked by the app).
    pinned_at      TIMESTAMPTZ,
    pinned_by      BIGINT       REFERENCES users (id),
    created_at     TIMESTAMPTZ  NOT NULL,
    edited_at      TIMESTAMPTZ
);
CREATE INDEX discussion_threads_competition ON discussion_threads (competition_id);

CREATE TABLE discussion_posts (
    id            BIGSERIAL PRIMARY KEY,
    thread_id     BIGINT        NOT NULL REFERENCES discussion_threads (id) ON DELETE CASCADE,
    opening       BOOLEAN       NOT NULL DEFAULT false,
    -- The post this one answers, in the same thread (checked by the app); null: the thread itself.
    reply_to_id   BIGINT        REFERENCES discussion_posts (id),
    author_id     BIGINT        NOT NULL REFERENCES users (id),
    body          TEXT          NOT NULL CHECK (length(body) <= 20000),
    created_at    TIMESTAMPTZ   NOT NULL,
    edited_at     TIMESTAMPTZ,
    deleted_at    TIMESTAMPTZ,
    deleted_by    BIGINT        REFERENCES users (id),
    -- MODERATOR (host or admin) or AUTHOR: what the placeholder says.
    deleted_as    VARCHAR(16)   CHECK (deleted_as IN ('AUTHOR', 'MODERATOR')),
    delete_reason VARCHAR(500),
    CHECK ((deleted_at IS NULL) = (deleted_by IS NULL) AND (deleted_at IS NULL) = (deleted_as IS NULL))
);
CREATE INDEX discussion_posts_thread ON discussion_posts (thread_id, id);
CREATE UNIQUE INDEX discussion_posts_one_opening ON discussion_posts (thread_id) WHERE opening;
