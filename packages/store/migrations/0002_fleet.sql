-- The fleet: hosts and their agents' credentials, inventories (distinct
-- package versions shared by hosts), findings with first-seen/resolved-at,
-- users and API tokens (hashed), settings, and the job queue.

CREATE TABLE host (
  id bigserial PRIMARY KEY,
  -- Stable machine identity (/etc/machine-id); null for hosts imported from a file.
  machine_id text UNIQUE,
  hostname text NOT NULL,
  transport text NOT NULL CHECK (transport IN ('agent', 'ssh', 'import')),
  os_id text,
  os_version text,
  os_codename text,
  os_pretty text,
  arch text,
  kernel_running text,
  kernel_newest text,
  reboot_required boolean NOT NULL DEFAULT false,
  reboot jsonb NOT NULL DEFAULT '{"required": false, "reasons": [], "packages": []}'::jsonb,
  facts_hash text,
  agent_version text,
  enrolled_at timestamptz NOT NULL,
  last_seen timestamptz,
  last_inventory_at timestamptz,
  inventory_hash text,
  package_manager text,
  package_count integer NOT NULL DEFAULT 0,
  -- Updates the package manager offers (WireUpdate[]), null when not collected.
  updates jsonb,
  tags text[] NOT NULL DEFAULT '{}',
  groups text[] NOT NULL DEFAULT '{}',
  criticality text NOT NULL DEFAULT 'tier2',
  environment text,
  internet_facing boolean NOT NULL DEFAULT false,
  owner text,
  user_risk text NOT NULL DEFAULT 'standard',
  eol jsonb,
  finding_counts jsonb NOT NULL DEFAULT '{}'::jsonb,
  assessed_at timestamptz,
  assessment_error text
);
CREATE INDEX host_hostname ON host (hostname);
CREATE INDEX host_last_seen ON host (last_seen);
CREATE INDEX host_tags ON host USING gin (tags);

-- Agent credentials: "pla_<public id>.<secret>", the secret stored as a scrypt hash.
CREATE TABLE agent_credential (
  id bigserial PRIMARY KEY,
  host_id bigint NOT NULL REFERENCES host (id) ON DELETE CASCADE,
  public_id text NOT NULL UNIQUE,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX agent_credential_host ON agent_credential (host_id);

-- Distinct package versions: identical packages across hosts are stored once.
CREATE TABLE package_version (
  id bigserial PRIMARY KEY,
  manager text NOT NULL,
  name text NOT NULL,
  version text NOT NULL,
  arch text NOT NULL,
  source_name text NOT NULL,
  source_version text NOT NULL,
  -- '' when the package database names no vendor.
  vendor text NOT NULL DEFAULT '',
  epoch_known boolean NOT NULL DEFAULT true,
  UNIQUE (manager, name, version, arch, source_name, source_version, vendor, epoch_known)
);

CREATE TABLE host_package (
  host_id bigint NOT NULL REFERENCES host (id) ON DELETE CASCADE,
  package_id bigint NOT NULL REFERENCES package_version (id),
  PRIMARY KEY (host_id, package_id)
);
CREATE INDEX host_package_package ON host_package (package_id);

-- Findings: one open row per (host, advisory, package, arch); the installed
-- version moves with upgrades that do not fix it. resolved_at is set when the
-- finding disappears; a finding that comes back is a new row.
CREATE TABLE finding (
  id bigserial PRIMARY KEY,
  host_id bigint NOT NULL REFERENCES host (id) ON DELETE CASCADE,
  advisory_id text NOT NULL,
  package text NOT NULL,
  arch text NOT NULL DEFAULT '',
  installed_version text NOT NULL,
  fixed_version text,
  status text NOT NULL,
  severity text,
  kev boolean NOT NULL DEFAULT false,
  -- The finding as `patchloop scan --format json` prints it.
  data jsonb NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE UNIQUE INDEX finding_open ON finding (host_id, advisory_id, package, arch) WHERE resolved_at IS NULL;
CREATE INDEX finding_advisory ON finding (advisory_id, host_id);
CREATE INDEX finding_host ON finding (host_id, resolved_at);

CREATE TABLE app_user (
  id bigserial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
  created_at timestamptz NOT NULL,
  disabled_at timestamptz
);

-- API tokens: "plt_<public id>.<secret>", the secret stored as a scrypt hash.
CREATE TABLE api_token (
  id bigserial PRIMARY KEY,
  public_id text NOT NULL UNIQUE,
  secret_hash text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE setting (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Background jobs, claimed with FOR UPDATE SKIP LOCKED by any server replica.
-- A singleton key keeps at most one queued-or-running job per key.
CREATE TABLE job (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  singleton_key text,
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE UNIQUE INDEX job_singleton ON job (singleton_key) WHERE singleton_key IS NOT NULL AND status IN ('queued', 'running');
CREATE INDEX job_ready ON job (run_at, id) WHERE status = 'queued';
CREATE INDEX job_running ON job (locked_until) WHERE status = 'running';

-- A scheduled task's slot is claimed once across replicas.
CREATE TABLE schedule_slot (
  name text NOT NULL,
  slot timestamptz NOT NULL,
  claimed_by text NOT NULL,
  claimed_at timestamptz NOT NULL,
  PRIMARY KEY (name, slot)
);
