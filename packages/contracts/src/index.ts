export * from './agent-protocol.js';
export * from './api.js';
export * from './agent-jobs.js';
