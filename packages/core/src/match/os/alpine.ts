/** Alpine: the secdb (and OSV "Alpine:v3.N") names aports origin packages per branch. */
import type { OsFamily } from '../../ecosystem/family.js';
import { majorMinor } from './versions.js';

export const alpine: OsFamily = {
  name: 'alpine',
  osIds: ['alpine'],
  manager: 'apk',
  scheme: 'apk',
  matchBy: 'source',
  targets: (os) => [{ ecosystem: 'Alpine', releases: [`v${majorMinor(os.versionId)}`] }],
  eolCycle: (os) =>
    os.versionId !== '' ? { product: 'alpine-linux', cycle: majorMinor(os.versionId) } : null,
  thirdParty: () => null,
  fixedVersionFor: (fixed) => fixed,
};
