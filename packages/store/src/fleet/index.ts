export * from './hosts.js';
export * from './inventory.js';
export * from './findings.js';
export * from './principals.js';
export * from './jobs.js';
