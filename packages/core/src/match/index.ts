export * from './advisory-source.js';
export * from './assess.js';
export * from './engine.js';
export * from './enrich.js';
export * from './eol.js';
export type * from './model.js';
export type * from './report.js';
export type * from './status.js';
export { OS_FAMILIES, familyFor } from './os/list.js';
