export { isIsoDate } from './date.js';
export { compareIds } from './ids.js';
export {
  isObject,
  jsonErrorLine,
  jsonErrorOffset,
  jsonSyntaxError,
  withoutBom,
  type JsonObject,
} from './json.js';
