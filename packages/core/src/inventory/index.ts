export * from './model.js';
export * from './os-release.js';
