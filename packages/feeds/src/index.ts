export * from './import/index.js';
export * from './sync/index.js';
export { parseAlpineSecdb, mergeAlpineAdvisories } from './alpine-secdb/index.js';
export { parseCveRecords } from './cve/index.js';
export { parseDebianList } from './debian/index.js';
export { parseEndOfLife, canonicalEolProduct } from './endoflife/index.js';
export { parseEpss } from './epss/index.js';
export { parseKev } from './kev/index.js';
export { parseOsv, splitOsvEcosystem } from './osv/index.js';
