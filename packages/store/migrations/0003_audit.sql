-- The audit log: one row per state change (enrollment, host edit, token,
-- feed import, later policies and deployments), hash-chained. The hash's
-- exact encoding is documented in src/audit/hash.ts; appends go through
-- appendAudit (src/audit/audit-log.ts), verification through verifyAudit.

CREATE TABLE audit_event (
  -- Assigned by the append: contiguous from 1.
  seq bigint PRIMARY KEY CHECK (seq > 0),
  -- Milliseconds, as hashed: a sub-millisecond edit cannot hide from the hash.
  at timestamptz(3) NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  before jsonb,
  after jsonb,
  -- The previous event's hash (64 zeros for seq 1) and this event's.
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_event_target ON audit_event (target, seq);
CREATE INDEX audit_event_actor ON audit_event (actor, seq);
CREATE INDEX audit_event_action ON audit_event (action, seq);

-- The chain's head: exactly one row, the last event's seq and hash. Every
-- append locks it (SELECT … FOR UPDATE) and moves it in the same statement
-- that inserts the event, so appends from every connection and replica form
-- one linear chain, and a deleted tail shows as a head the log no longer
-- reaches.
CREATE TABLE audit_head (
  id smallint PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
