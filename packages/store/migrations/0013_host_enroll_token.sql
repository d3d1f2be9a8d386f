-- Per-host one-time enrollment tokens: the shared enrollment secret only
-- creates new hosts; an existing host (same machine id) re-enrolls with its
-- current agent credential or with a token an admin issued for that host.
-- "plh_<public id>.<secret>", the secret stored as a hash; single use, expiring.
CREATE TABLE host_enroll_token (
  id bigserial PRIMARY KEY,
  host_id bigint NOT NULL REFERENCES host (id) ON DELETE CASCADE,
  public_id text NOT NULL UNIQUE,
  secret_hash text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX host_enroll_token_host ON host_enroll_token (host_id);
