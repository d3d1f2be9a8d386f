export * from './model.js';
export * from './tick.js';
export * from './rollback.js';
export * from './deployable.js';
