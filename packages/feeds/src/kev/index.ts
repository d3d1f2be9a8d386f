export { parseKev, type KevParseResult } from './parse.js';
export type { RawKevCatalog, RawKevVulnerability } from './raw.js';
