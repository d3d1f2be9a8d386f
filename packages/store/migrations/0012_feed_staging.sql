-- Staging for chunked feed imports (FeedSink sessions): each chunk is
-- written in its own short transaction, keyed by the import session; finish
-- moves the changed rows into the real tables in one short transaction;
-- abort, or the next session of the same source after a crash, deletes them.

CREATE TABLE feed_stage_session (
  id text PRIMARY KEY,
  source text NOT NULL,
  started_at timestamptz NOT NULL
);
CREATE INDEX feed_stage_session_source ON feed_stage_session (source);

-- Only records that differ from what the store (or an earlier chunk of the
-- same session) holds are staged: an unchanged re-import stages nothing.
CREATE TABLE feed_stage_advisory (
  session_id text NOT NULL,
  id text NOT NULL,
  published timestamptz,
  modified timestamptz,
  withdrawn timestamptz,
  classification text NOT NULL,
  severity text,
  summary text NOT NULL,
  aliases text[] NOT NULL,
  content_hash text NOT NULL,
  doc jsonb NOT NULL,
  PRIMARY KEY (session_id, id)
);

CREATE TABLE feed_stage_cve (
  session_id text NOT NULL,
  id text NOT NULL,
  state text NOT NULL,
  published timestamptz,
  modified timestamptz,
  cvss_version text,
  cvss_vector text,
  cvss_score double precision,
  severity text,
  content_hash text NOT NULL,
  doc jsonb NOT NULL,
  PRIMARY KEY (session_id, id)
);

-- Change events in the order the chunks produced them; import_id is known at finish.
CREATE TABLE feed_stage_event (
  session_id text NOT NULL,
  seq bigserial,
  kind text NOT NULL,
  subject text NOT NULL,
  details jsonb NOT NULL,
  PRIMARY KEY (session_id, seq)
);
