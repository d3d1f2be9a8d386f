export * from './error/codes.js';
export * from './version/index.js';
