-- Which findings an exception covers is looked up from the exceptions' side
-- (store exceptedFindings): by advisory id (finding_advisory), CVE alias,
-- host (finding_host), package or group. These two indexes serve the alias
-- and package lookups; the package one also serves the findings list's
-- `package` filter. Before, every finding was tested against every active
-- exception, reading its JSON for the alias test: the dashboard took 2.5 s at
-- 10,000 hosts and 150,000 open findings (bench/console-lists.js).
CREATE INDEX finding_package ON finding (package);
CREATE INDEX finding_aliases ON finding USING gin ((data -> 'advisory' -> 'aliases'));
