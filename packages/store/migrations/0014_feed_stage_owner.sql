-- Who owns a staged feed session, and when it last wrote a chunk: the
-- sessions of a process that died (killed, out of memory, the machine
-- rebooted) are removed when a server starts, not only at the next import
-- of the same source. owner_ns is the owner's PID namespace (Linux), so that
-- a PID is only judged on the host and in the namespace it belongs to.
ALTER TABLE feed_stage_session ADD COLUMN owner_host text;
ALTER TABLE feed_stage_session ADD COLUMN owner_pid integer;
ALTER TABLE feed_stage_session ADD COLUMN owner_ns text;
ALTER TABLE feed_stage_session ADD COLUMN touched_at timestamptz;
