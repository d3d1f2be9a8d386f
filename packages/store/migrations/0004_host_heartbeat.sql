-- Heartbeats update host.last_seen on every check-in (about 1,000 a second
-- for 50,000 agents). With last_seen indexed no such update could be HOT, so
-- each wrote new entries into every index of the table (tags GIN included).
-- Stale-host queries scan the table instead; free space per page keeps the
-- updates on their page.
DROP INDEX IF EXISTS host_last_seen;
ALTER TABLE host SET (fillfactor = 80);
