export * from './hosts.js';
export * from './inventory.js';
export * from './findings.js';
export * from './finding-queries.js';
export * from './principals.js';
export * from './jobs.js';
export * from './exceptions.js';
export * from './policies.js';
