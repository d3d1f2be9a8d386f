export * from './scheme.js';
