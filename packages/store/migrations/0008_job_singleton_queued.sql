-- A singleton key now keeps one *queued* job per key, not one queued-or-running:
-- a change that arrives while its job runs (an inventory stored while the host's
-- assessment of the previous one is running) must queue a new run, or the
-- running one — which read the old data — would be the last word.
DROP INDEX IF EXISTS job_singleton;
CREATE UNIQUE INDEX job_singleton ON job (singleton_key) WHERE singleton_key IS NOT NULL AND status = 'queued';
