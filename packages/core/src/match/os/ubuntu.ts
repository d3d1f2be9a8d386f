/** Ubuntu: OSV records (USN, UBUNTU-CVE) name source packages per release ("22.04"). */
import type { OsFamily } from '../../ecosystem/family.js';
import { UBUNTU_CODENAMES, versionForCodename } from '../../ecosystem/releases.js';
import { majorMinor } from './versions.js';

export const ubuntu: OsFamily = {
  name: 'ubuntu',
  osIds: ['ubuntu'],
  manager: 'dpkg',
  scheme: 'debian',
  matchBy: 'source',
  targets(os) {
    const version =
      os.versionId !== ''
        ? majorMinor(os.versionId)
        : versionForCodename(UBUNTU_CODENAMES, os.codename ?? '');
    const codename = os.codename ?? (version ? UBUNTU_CODENAMES[version] : undefined) ?? null;
    const releases = [version, codename].filter(
      (r): r is string => r !== null && r !== undefined && r !== '',
    );
    return [{ ecosystem: 'Ubuntu', releases: [...new Set(releases)] }];
  },
  eolCycle: (os) => (os.versionId !== '' ? { product: 'ubuntu', cycle: majorMinor(os.versionId) } : null),
  thirdParty: () => null,
  fixedVersionFor: (fixed) => fixed,
};
