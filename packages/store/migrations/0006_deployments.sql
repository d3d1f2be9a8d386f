-- Deployments: ring by ring through the agents, each host a task with its
-- target versions, the versions before and after, its log and timings.

CREATE TABLE deployment (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('install', 'rollback')),
  -- The deployment a rollback undoes.
  parent_id bigint REFERENCES deployment (id),
  policy text,
  policy_version integer,
  status text NOT NULL CHECK (status IN ('planned', 'running', 'halted', 'completed', 'failed', 'cancelled', 'rolled-back')),
  rings jsonb NOT NULL,
  schedule jsonb,
  reboot text NOT NULL,
  pre_script text,
  post_script text,
  -- Why nothing is dispatched right now (window closed, ring baking, halted …), for people.
  waiting text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE INDEX deployment_active ON deployment (status) WHERE status IN ('planned', 'running', 'halted');

CREATE TABLE deployment_task (
  id text PRIMARY KEY,
  deployment_id bigint NOT NULL REFERENCES deployment (id) ON DELETE CASCADE,
  host_id bigint NOT NULL REFERENCES host (id) ON DELETE CASCADE,
  hostname text NOT NULL,
  ring text NOT NULL,
  status text NOT NULL,
  -- [{name, version}] to install; the advisories the plan expects them to close.
  packages jsonb NOT NULL,
  advisories text[] NOT NULL DEFAULT '{}',
  before jsonb,
  after jsonb,
  reboot jsonb,
  log text NOT NULL DEFAULT '',
  error_code text,
  error_message text,
  deadline timestamptz NOT NULL,
  timeout_seconds integer NOT NULL,
  queued_at timestamptz NOT NULL,
  dispatched_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  -- The rollback task that undid this one.
  rolled_back_by text,
  UNIQUE (deployment_id, host_id)
);
CREATE INDEX deployment_task_host ON deployment_task (host_id, status);
