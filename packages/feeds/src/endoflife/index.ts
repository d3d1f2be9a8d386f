export { parseEndOfLife } from './parse.js';
export { canonicalEolProduct, EOL_PRODUCT_ALIASES } from './product-ids.js';
export type * from './raw.js';
