export * from './endpoints.js';
export * from './http.js';
export * from './sync.js';
export * from './settings.js';
export * from './nvd.js';
