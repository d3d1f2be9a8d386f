export * from './plan.js';
export * from './catalogue.js';
export * from './patch-status.js';
