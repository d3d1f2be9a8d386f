-- A per-host counter of changes to what the fleet's remediation plan is
-- computed from (the host's findings, offered updates, package manager,
-- groups, retirement). Assessment writes finding_counts and assessed_at in
-- the transaction that writes the host's findings, so a change of findings
-- bumps it too. The plan is cached by (sum, count, max id) of these over
-- the fleet plus the exceptions in force: a cheap key read in the
-- reader's snapshot, so a cached plan is never served after a committed
-- change. A row trigger touches only the row being updated: no shared
-- counter row, no lock between writers.
ALTER TABLE host ADD COLUMN plan_revision bigint NOT NULL DEFAULT 0;

CREATE FUNCTION host_plan_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.plan_revision := OLD.plan_revision + 1;
  RETURN NEW;
END
$$;

CREATE TRIGGER host_plan_revision BEFORE UPDATE OF finding_counts, assessed_at, updates, package_manager, groups, retired_at, hostname
  ON host FOR EACH ROW EXECUTE FUNCTION host_plan_revision_bump();
