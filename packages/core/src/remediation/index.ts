export * from './plan.js';
export * from './catalogue.js';
