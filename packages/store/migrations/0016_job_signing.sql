-- Signed jobs. The signing key itself is never stored here (it lives in a
-- file outside the database); a database writer can change rows but cannot
-- sign, so agents refuse what it changes.
-- Per-host monotonic sequence: each signed job takes the next number; the
-- agent refuses a job whose number is not above the last it accepted.
ALTER TABLE host ADD COLUMN job_sequence bigint NOT NULL DEFAULT 0;
-- The signature made when the task was dispatched (core's JobEnvelope):
-- handed out with the job, never made again from the row's current content.
ALTER TABLE deployment_task ADD COLUMN signature jsonb;
-- Key rotations: the old key's statement naming the new public key. Kept
-- for good (a few hundred bytes each) so that an agent offline during any
-- number of rotations follows the chain at its next check-in.
CREATE TABLE job_key_rotation (
  from_key_id text PRIMARY KEY,
  to_key_id text NOT NULL UNIQUE,
  public_key text NOT NULL,
  issued_at text NOT NULL, -- the signed ISO 8601 text, as signed
  sig text NOT NULL,
  created_by text NOT NULL
);
