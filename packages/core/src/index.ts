export * from './error/codes.js';
export * from './version/index.js';
export * from './inventory/os-release.js';
