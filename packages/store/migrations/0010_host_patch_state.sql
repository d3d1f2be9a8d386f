-- Missing patches as first-class figures: the updates a host's package
-- manager offers, counted security / other at each assessment (null when the
-- updates are not known), the patch status the core rule gives them, and when
-- the host was last patched (an inventory first showing a package at another
-- version).
ALTER TABLE host ADD COLUMN updates_security integer;
ALTER TABLE host ADD COLUMN updates_other integer;
ALTER TABLE host ADD COLUMN patch_status text;
ALTER TABLE host ADD COLUMN last_patched_at timestamptz;
CREATE INDEX host_patch_status ON host (patch_status);

-- Hosts stored before: counted from the updates as the agent classified them; the next assessment
-- recounts (an update that closes an open finding is security too).
UPDATE host SET
  updates_security = (SELECT count(*) FROM jsonb_array_elements(updates) u
                      WHERE u->>'security' = 'true' OR u->>'classification' = 'security'),
  updates_other = (SELECT count(*) FROM jsonb_array_elements(updates) u
                   WHERE NOT (u->>'security' = 'true' OR u->>'classification' = 'security'))
WHERE updates IS NOT NULL AND jsonb_typeof(updates) = 'array';
UPDATE host SET patch_status = CASE
  WHEN coalesce(updates_security, 0) > 0 THEN 'security-updates-pending'
  WHEN reboot_required THEN 'reboot-pending'
  WHEN coalesce(updates_other, 0) > 0 THEN 'updates-pending'
  WHEN updates_security IS NULL THEN 'not-assessed'
  ELSE 'up-to-date' END;

-- Hosts a deployment left out because they cannot run it (an imported host, a root without a package
-- manager): [{hostId, hostname, reason}], shown with the deployment.
ALTER TABLE deployment ADD COLUMN not_deployable jsonb NOT NULL DEFAULT '[]'::jsonb;
