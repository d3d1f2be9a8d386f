-- What a host's open findings sum up to, kept on the host by their writer
-- (store/src/fleet/findings.ts syncHostFindings):
-- finding_class: a digest of the open links' facts and risk scores
--   (findingClass). Hosts of one class have the same open findings apart
--   from their dates: the fleet's remediation plan and the policy simulation
--   read one host's findings per class instead of every host's (at 50,000
--   hosts built from a few images, ~3,000 classes for 8.6 M open links).
--   NULL (never assessed): the host is its own class.
-- open_counts: the open links counted by KEV and priority (openCounts):
--   the lists' totals for those filters are a sum over the hosts instead of
--   a count of millions of links.
ALTER TABLE host ADD COLUMN finding_class text;
ALTER TABLE host ADD COLUMN open_counts jsonb;

-- Hosts assessed before this release, from their open links (the same
-- statement as finding-facts.ts refreshHostSummaries). The class's text
-- differs from the one an assessment writes ('m' and md5 here): equal content
-- may be two classes until the next assessment, never one class two contents.
UPDATE host h SET
  finding_class = 'm' || (SELECT md5(coalesce(string_agg(l.fact_id::text || ':' || coalesce(l.risk_score::text, ''),
                             ',' ORDER BY l.fact_id), ''))
                          FROM host_finding l WHERE l.host_id = h.id AND l.resolved_at IS NULL),
  open_counts = (SELECT jsonb_build_object('total', 0, 'kev', 0) || coalesce(jsonb_object_agg(x.k, x.n), '{}')
                 FROM (SELECT k.k, count(*)::int AS n
                       FROM host_finding l JOIN finding_fact ff ON ff.id = l.fact_id
                       CROSS JOIN LATERAL (VALUES ('total'), (CASE WHEN ff.kev THEN 'kev' END),
                         ('p:' || l.priority), (CASE WHEN ff.kev THEN 'pk:' || l.priority END)) AS k(k)
                       WHERE l.host_id = h.id AND l.resolved_at IS NULL AND k.k IS NOT NULL
                       GROUP BY k.k) x)
WHERE h.assessed_at IS NOT NULL OR EXISTS (SELECT 1 FROM host_finding l WHERE l.host_id = h.id);
