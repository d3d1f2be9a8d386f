-- Prioritize and decide: risk and SLA per finding, exceptions, policies
-- (every version kept).

ALTER TABLE finding ADD COLUMN risk_score real;
ALTER TABLE finding ADD COLUMN priority text;
-- The score's factors and explanation (core/risk RiskResult without the score).
ALTER TABLE finding ADD COLUMN risk jsonb;
ALTER TABLE finding ADD COLUMN due_at timestamptz;
ALTER TABLE finding ADD COLUMN sla_basis text;
CREATE INDEX finding_open_due ON finding (due_at) WHERE resolved_at IS NULL;

-- Exceptions: accepted risk, false positive or compensating control, scoped
-- to any combination of advisory (or CVE), package, host and group (at least
-- one), requested by one person and approved by another, until they expire.
CREATE TABLE risk_exception (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('accepted-risk', 'false-positive', 'compensating-control')),
  advisory_id text,
  package text,
  host_id bigint REFERENCES host (id) ON DELETE CASCADE,
  group_name text,
  justification text NOT NULL,
  status text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'revoked', 'expired')),
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  expires_at timestamptz NOT NULL,
  CHECK (advisory_id IS NOT NULL OR package IS NOT NULL OR host_id IS NOT NULL OR group_name IS NOT NULL)
);
CREATE INDEX risk_exception_active ON risk_exception (status, expires_at);

CREATE TABLE policy (
  name text PRIMARY KEY,
  version integer NOT NULL,
  document jsonb NOT NULL,
  source text NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);

CREATE TABLE policy_version (
  name text NOT NULL,
  version integer NOT NULL,
  document jsonb,
  source text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (name, version)
);
