export * from './files.js';
export * from './import.js';
export { IMPORTERS, type SourceImporter } from './sources.js';
