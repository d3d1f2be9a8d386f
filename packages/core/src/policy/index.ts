export * from './model.js';
export * from './values.js';
export * from './parse.js';
export * from './window.js';
export * from './select.js';
export * from './approve.js';
export * from './simulate.js';
