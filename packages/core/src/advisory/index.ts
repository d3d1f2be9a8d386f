export * from './model.js';
export * from './feed-sink.js';
export * from './primary-cvss.js';
export * from './affects.js';
export * from './severity-order.js';
