export { parseOsv } from './parse.js';
export { splitOsvEcosystem, packageKindFor, type OsvEcosystem } from './ecosystem.js';
export { severityFromWord } from './severity.js';
export type * from './raw.js';
