export * from './files.js';
export * from './import.js';
export { streamFeedPath } from './stream.js';
export { IMPORTERS, type SourceImporter } from './sources.js';
export * from './progress.js';
