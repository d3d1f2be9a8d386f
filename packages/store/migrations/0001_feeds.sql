-- Vulnerability intelligence: advisories and their affected packages, CVE
-- records with CVSS, CISA KEV, EPSS, end-of-life cycles; per-source feed
-- state, import runs and change events.

CREATE TABLE feed_source (
  source text PRIMARY KEY,
  records integer NOT NULL DEFAULT 0,
  last_import timestamptz,
  last_success timestamptz,
  last_status text,
  last_error text,
  last_error_code text,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- HTTP validators of what sync last downloaded, per URL.
CREATE TABLE feed_download (
  source text NOT NULL,
  url text NOT NULL,
  etag text,
  last_modified text,
  sha256 text,
  bytes bigint,
  fetched_at timestamptz NOT NULL,
  PRIMARY KEY (source, url)
);

CREATE TABLE import_run (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  origin text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('ok', 'partial', 'failed', 'unchanged')),
  imported integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  errors jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX import_run_source ON import_run (source, id);

CREATE TABLE advisory (
  source text NOT NULL,
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
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (source, id)
);
CREATE INDEX advisory_aliases ON advisory USING gin (aliases);

-- One row per (advisory, ecosystem, release, package): what matching looks up.
CREATE TABLE advisory_package (
  source text NOT NULL,
  advisory_id text NOT NULL,
  ecosystem text NOT NULL,
  release text NOT NULL,
  package text NOT NULL,
  status text NOT NULL,
  fixed_version text,
  FOREIGN KEY (source, advisory_id) REFERENCES advisory (source, id) ON DELETE CASCADE
);
CREATE INDEX advisory_package_lookup ON advisory_package (ecosystem, release, package);
CREATE INDEX advisory_package_advisory ON advisory_package (source, advisory_id);

CREATE TABLE cve (
  id text PRIMARY KEY,
  state text NOT NULL,
  published timestamptz,
  modified timestamptz,
  cvss_version text,
  cvss_vector text,
  cvss_score double precision,
  severity text,
  content_hash text NOT NULL,
  doc jsonb NOT NULL,
  imported_at timestamptz NOT NULL
);

CREATE TABLE kev (
  cve_id text PRIMARY KEY,
  date_added date NOT NULL,
  due_date date NOT NULL,
  ransomware boolean NOT NULL,
  content_hash text NOT NULL,
  doc jsonb NOT NULL,
  imported_at timestamptz NOT NULL
);

CREATE TABLE epss (
  cve_id text PRIMARY KEY,
  epss double precision NOT NULL,
  percentile double precision NOT NULL
);

CREATE TABLE eol_cycle (
  product text NOT NULL,
  cycle text NOT NULL,
  content_hash text NOT NULL,
  doc jsonb NOT NULL,
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (product, cycle)
);

-- What changed at each import, ready for alerting.
CREATE TABLE change_event (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  source text NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  import_id bigint REFERENCES import_run (id) ON DELETE SET NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX change_event_at ON change_event (at);
