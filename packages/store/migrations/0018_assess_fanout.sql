-- Incremental re-assessment after a feed import, and a job table that stays
-- small under a fleet-sized queue (issue #17, docs/scale.md §3.2-3.4).

-- The fan-out of an advisory change: package versions by the name advisories
-- key them by (source name for Debian/Ubuntu/Alpine, binary name for RPM).
CREATE INDEX package_version_source_name ON package_version (source_name);
CREATE INDEX package_version_name ON package_version (name);

-- What an import changed: its change events, and the CVE records it wrote
-- (CVE imports raise no events; the rows carry the import's time).
CREATE INDEX change_event_import ON change_event (import_id);
CREATE INDEX cve_imported_at ON cve (imported_at);

-- Claims of one kind (the feed sync) walk only that kind's queued jobs, not
-- a backlog of thousands of assessments.
CREATE INDEX job_ready_kind ON job (kind, run_at, id) WHERE status = 'queued';
-- Pruning finished jobs by age.
CREATE INDEX job_finished ON job (finished_at) WHERE status IN ('done', 'failed');
