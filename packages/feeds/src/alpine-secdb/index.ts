export { parseAlpineSecdb } from './parse.js';
export { mergeAlpineAdvisories } from './merge.js';
export type { RawSecdb, RawSecdbPackage } from './raw.js';
