/** Debian: advisories (DSA/DLA lists, OSV "Debian:N") name source packages, by codename or version. */
import type { OsFamily } from '../../ecosystem/family.js';
import { DEBIAN_CODENAMES, versionForCodename } from '../../ecosystem/releases.js';
import { major } from './versions.js';

export const debian: OsFamily = {
  name: 'debian',
  osIds: ['debian'],
  manager: 'dpkg',
  scheme: 'debian',
  matchBy: 'source',
  targets(os) {
    const version =
      os.versionId !== '' ? major(os.versionId) : versionForCodename(DEBIAN_CODENAMES, os.codename ?? '');
    const codename = os.codename ?? (version ? DEBIAN_CODENAMES[version] : undefined) ?? null;
    const releases = [codename, version].filter(
      (r): r is string => r !== null && r !== undefined && r !== '',
    );
    return [{ ecosystem: 'Debian', releases: [...new Set(releases)] }];
  },
  eolCycle: (os) => {
    const v =
      os.versionId !== '' ? major(os.versionId) : versionForCodename(DEBIAN_CODENAMES, os.codename ?? '');
    return v ? { product: 'debian', cycle: v } : null;
  },
  thirdParty: () => null,
  fixedVersionFor: (fixed) => fixed,
};
