export { collectHost, type CollectOptions, type HostCollection } from './collect.js';
export * from '../runner/index.js';
