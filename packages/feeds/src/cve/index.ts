export { parseCveRecords } from './parse.js';
export type * from './raw.js';
export { CVSS_METRIC_KEYS } from './raw.js';
export { parseNvdPage, type NvdPage } from './nvd.js';
