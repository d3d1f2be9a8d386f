-- Retired hosts: kept (history, audit, reports) but out of the current
-- figures, lists, simulations and deployments. Their agents are refused.
ALTER TABLE host ADD COLUMN retired_at timestamptz;
ALTER TABLE host ADD COLUMN retired_by text;
ALTER TABLE host ADD COLUMN retired_reason text;
-- Few hosts are retired: the anti-joins that leave them out read this small index.
CREATE INDEX host_retired ON host (id) WHERE retired_at IS NOT NULL;
