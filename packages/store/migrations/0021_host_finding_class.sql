-- A host's finding class: a digest of its open findings' facts and risk
-- scores (store/src/fleet/findings.ts findingClass), written by the
-- assessment that writes them. Hosts of one class have the same open
-- findings apart from their dates: the fleet's remediation plan and the
-- policy simulation read one host's findings per class instead of every
-- host's (at 50,000 hosts built from a few images, ~3,000 classes for
-- 8.6 M open links). NULL (a host not yet assessed): the host is its own class.
ALTER TABLE host ADD COLUMN finding_class text;

-- Hosts assessed before this release get a class from their open links. Its
-- text differs from the one an assessment writes ('m' and md5 here): equal
-- content may then be two classes until the next assessment, never one class
-- two contents.
UPDATE host h SET finding_class = 'm' || c.d
FROM (SELECT host_id, md5(string_agg(fact_id::text || ':' || coalesce(risk_score::text, ''), ',' ORDER BY fact_id)) AS d
      FROM host_finding WHERE resolved_at IS NULL GROUP BY host_id) c
WHERE c.host_id = h.id;
UPDATE host SET finding_class = 'm' || md5('') WHERE finding_class IS NULL AND assessed_at IS NOT NULL;
