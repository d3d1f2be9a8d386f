export { parseEpss } from './parse.js';
