export * from './family.js';
export * from './releases.js';
