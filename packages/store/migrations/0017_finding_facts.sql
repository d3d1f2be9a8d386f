-- Findings as facts and links (issue #17, docs/scale.md). Every field of a
-- finding but its first-seen time, risk, priority and SLA is a function of
-- the tuple (release, package, version, advisory), not of the host: 50,000
-- hosts with the same finding stored ~2 KiB of identical JSON 50,000 times.
--
-- finding_key:  the identity a finding's history is kept under (advisory,
--               package, arch): first_seen survives upgrades that do not fix it.
-- finding_fact: the finding's content, stored once (content-addressed: `hash`
--               is md5 of the jsonb array of its columns, the same expression
--               store/src/fleet/findings.ts computes, FACT_HASH).
-- risk_detail:  the risk score's factors and explanation, a function of the
--               fact and the host's context class: few distinct, stored once.
-- host_finding: a host's link to a fact: narrow, one per (host, key) while
--               open, keeping finding.id values (and its sequence) so API ids,
--               first_seen and resolved history carry over.
-- `finding` becomes a view with the old columns, so readers are unchanged.
-- last_seen, written on every assessment and read nowhere, is gone (NULL).

CREATE TABLE finding_key (
  id serial PRIMARY KEY,
  advisory_id text NOT NULL,
  package text NOT NULL,
  arch text NOT NULL,
  UNIQUE (advisory_id, package, arch)
);

CREATE TABLE finding_fact (
  id bigserial PRIMARY KEY,
  hash text NOT NULL UNIQUE,
  key_id integer NOT NULL REFERENCES finding_key (id),
  advisory_id text NOT NULL,
  package text NOT NULL,
  arch text NOT NULL,
  installed_version text NOT NULL,
  fixed_version text,
  status text NOT NULL,
  severity text,
  kev boolean NOT NULL,
  -- The finding as `patchloop scan --format json` prints it.
  data jsonb NOT NULL
);

CREATE TABLE risk_detail (
  id serial PRIMARY KEY,
  hash text NOT NULL UNIQUE,
  -- The score's factors and explanation (core/risk RiskResult without the score).
  detail jsonb NOT NULL
);

CREATE TABLE host_finding (
  id bigint PRIMARY KEY,
  host_id bigint NOT NULL REFERENCES host (id) ON DELETE CASCADE,
  fact_id bigint NOT NULL REFERENCES finding_fact (id),
  first_seen timestamptz NOT NULL,
  resolved_at timestamptz,
  due_at timestamptz,
  key_id integer NOT NULL REFERENCES finding_key (id),
  risk_id integer REFERENCES risk_detail (id),
  risk_score real,
  priority text,
  sla_basis text
);

INSERT INTO finding_key (advisory_id, package, arch)
SELECT DISTINCT advisory_id, package, arch FROM finding ORDER BY 1, 2, 3;

INSERT INTO finding_fact (hash, key_id, advisory_id, package, arch, installed_version, fixed_version, status,
  severity, kev, data)
SELECT DISTINCT ON (f.hash) f.hash, k.id, f.advisory_id, f.package, f.arch, f.installed_version, f.fixed_version,
  f.status, f.severity, f.kev, f.data
FROM (SELECT md5(jsonb_build_array(advisory_id, package, arch, installed_version, fixed_version, status, severity,
        kev, data)::text) AS hash, *
      FROM finding) f
JOIN finding_key k ON k.advisory_id = f.advisory_id AND k.package = f.package AND k.arch = f.arch
ORDER BY f.hash, f.id;

INSERT INTO risk_detail (hash, detail)
SELECT DISTINCT ON (md5(risk::text)) md5(risk::text), risk FROM finding WHERE risk IS NOT NULL
ORDER BY md5(risk::text);

INSERT INTO host_finding (id, host_id, fact_id, first_seen, resolved_at, due_at, key_id, risk_id, risk_score,
  priority, sla_basis)
SELECT f.id, f.host_id, ff.id, f.first_seen, f.resolved_at, f.due_at, ff.key_id, r.id, f.risk_score, f.priority,
  f.sla_basis
FROM finding f
JOIN finding_fact ff ON ff.hash = md5(jsonb_build_array(f.advisory_id, f.package, f.arch, f.installed_version,
  f.fixed_version, f.status, f.severity, f.kev, f.data)::text)
LEFT JOIN risk_detail r ON r.hash = md5(f.risk::text);

-- The ids go on where finding's left off: the sequence changes hands.
ALTER SEQUENCE finding_id_seq OWNED BY NONE;
DROP TABLE finding;
ALTER SEQUENCE finding_id_seq RENAME TO host_finding_id_seq;
ALTER SEQUENCE host_finding_id_seq OWNED BY host_finding.id;
ALTER TABLE host_finding ALTER COLUMN id SET DEFAULT nextval('host_finding_id_seq');

-- Links: one open per (host, key); the host's history (also the cascade from
-- host); links of a fact (advisory, package, alias lookups go fact → links);
-- due and risk order of open links.
CREATE UNIQUE INDEX host_finding_open ON host_finding (host_id, key_id) WHERE resolved_at IS NULL;
CREATE INDEX host_finding_host ON host_finding (host_id, resolved_at);
CREATE INDEX host_finding_fact ON host_finding (fact_id);
CREATE INDEX host_finding_open_due ON host_finding (due_at) WHERE resolved_at IS NULL;
CREATE INDEX host_finding_open_risk ON host_finding (risk_score DESC NULLS LAST, id) WHERE resolved_at IS NULL;
-- Facts: by advisory, package and CVE alias (filters and exception lookups).
CREATE INDEX finding_fact_key ON finding_fact (key_id);
CREATE INDEX finding_fact_advisory ON finding_fact (advisory_id);
CREATE INDEX finding_fact_package ON finding_fact (package);
CREATE INDEX finding_fact_aliases ON finding_fact USING gin ((data -> 'advisory' -> 'aliases'));

-- The old table's columns, in its order. LEFT JOINs on unique keys: a query
-- that reads only link columns does not join at all (join removal).
CREATE VIEW finding AS
SELECT l.id, l.host_id, ff.advisory_id, ff.package, ff.arch, ff.installed_version, ff.fixed_version, ff.status,
  ff.severity, ff.kev, ff.data, l.first_seen, NULL::timestamptz AS last_seen, l.resolved_at, l.risk_score,
  l.priority, r.detail AS risk, l.due_at, l.sla_basis
FROM host_finding l
LEFT JOIN finding_fact ff ON ff.id = l.fact_id
LEFT JOIN risk_detail r ON r.id = l.risk_id;
