/**
 * A finding as JSON, every field written out with its keys in a fixed order
 * whatever order the objects were built in: what `patchloop scan --format
 * json` prints and what the server stores and serves.
 */
import type { Finding, FindingAdvisory } from './model.js';

/** Every key of T, required: adding a field to Finding breaks the build here until it is written out. */
export type AllOf<T> = { [K in keyof T]-?: unknown };

export function advisoryJson(a: FindingAdvisory): AllOf<FindingAdvisory> {
  return {
    id: a.id,
    aliases: [...a.aliases],
    source: a.source,
    url: a.url,
    modified: a.modified,
    classification: a.classification,
  };
}

export function findingJson(f: Finding): AllOf<Finding> {
  return {
    package: f.package,
    arch: f.arch,
    sourcePackage: f.sourcePackage,
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    status: f.status,
    advisory: advisoryJson(f.advisory),
    release: f.release,
    severity: f.severity,
    cvss: f.cvss && { score: f.cvss.score, version: f.cvss.version, vector: f.cvss.vector, cve: f.cvss.cve },
    kev: f.kev && {
      cve: f.kev.cve,
      dateAdded: f.kev.dateAdded,
      dueDate: f.kev.dueDate,
      ransomware: f.kev.ransomware,
    },
    epss: f.epss && { cve: f.epss.cve, score: f.epss.score, percentile: f.epss.percentile },
    explanation: f.explanation,
  };
}
