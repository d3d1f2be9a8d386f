export { parseDebianList, type DebianListSource } from './parse.js';
export type { RawListEntry, RawReleaseLine } from './raw.js';
