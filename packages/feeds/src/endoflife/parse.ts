/**
 * endoflife.date JSON → EolCycle records. Pure. The format is told by the shape (raw.ts):
 *
 *   [ {cycle, …}, … ]                       legacy API v0 for one product
 *   { result: { name, releases: [...] } }   API v1 product
 *   { result: [ {name, releases}, … ] }     API v1 products/full
 *   { permalink, releases: [...] }          product front matter
 *   { <id>: {permalink, releases}, … }      _all_products.json (front matter of several products)
 *
 * Product id: the one the document gives (`result.name`, `permalink` without the slash, or the key
 * of _all_products.json); for the legacy array, which does not name its product, the `product`
 * argument, else the file name without directory and `.json`. Every id is mapped to endoflife.date's
 * current id (product-ids.ts): `alpine` → `alpine-linux`.
 *
 * A cycle that cannot be read is reported (PL_FEED_SCHEMA_INVALID, record `<product> <cycle>` or
 * `<product> #<index>`) and skipped, as is a cycle name repeated within a product; a product whose
 * `releases` is not a list is reported (record `<product>`) and skipped with all its cycles; a
 * document that is none of the formats is one error (record `document`). None of these is a
 * warning: every error means what it names was not kept. Cycles keep the document's order (newest
 * first); products keep theirs.
 */
import type { EolCycle, FeedRecordError, ParseResult } from '@patchloop/core';
import { isObject } from '../record/index.js';
import { frontMatterCycle, legacyCycle, v1Cycle } from './cycle.js';
import { canonicalEolProduct } from './product-ids.js';

type CycleReader = (product: string, release: unknown) => EolCycle | string;

interface ProductReleases {
  readonly product: string;
  readonly releases: unknown;
  readonly read: CycleReader;
}

export function parseEndOfLife(text: string, file: string, product?: string): ParseResult<EolCycle> {
  const errors: FeedRecordError[] = [];
  const documentError = (code: FeedRecordError['code'], reason: string): ParseResult<EolCycle> => {
    errors.push({ file, record: 'document', code, reason });
    return { records: [], errors };
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return documentError('PL_FEED_JSON_INVALID', `not valid JSON: ${(e as Error).message}`);
  }
  const products = productsOf(doc, file, product);
  if (typeof products === 'string') return documentError('PL_FEED_SCHEMA_INVALID', products);

  const records: EolCycle[] = [];
  for (const p of products) {
    if (!Array.isArray(p.releases)) {
      errors.push({
        file,
        record: p.product,
        code: 'PL_FEED_SCHEMA_INVALID',
        reason: 'releases: expected an array',
      });
      continue;
    }
    const seen = new Set<string>();
    p.releases.forEach((release: unknown, i: number) => {
      const cycle = p.read(p.product, release);
      if (typeof cycle === 'string') {
        const name = isObject(release)
          ? (release['releaseCycle'] ?? release['cycle'] ?? release['name'])
          : null;
        const record = `${p.product} ${typeof name === 'string' || typeof name === 'number' ? name : `#${i}`}`;
        errors.push({ file, record, code: 'PL_FEED_SCHEMA_INVALID', reason: cycle });
      } else if (seen.has(cycle.cycle)) {
        const reason = `cycle ${cycle.cycle} is listed a second time`;
        errors.push({ file, record: `${p.product} ${cycle.cycle}`, code: 'PL_FEED_SCHEMA_INVALID', reason });
      } else {
        seen.add(cycle.cycle);
        records.push(cycle);
      }
    });
  }
  return { records, errors };
}

/** The products a document holds, or why it is none of the known formats. */
function productsOf(doc: unknown, file: string, product: string | undefined): ProductReleases[] | string {
  if (Array.isArray(doc)) {
    const id = product ?? file.replace(/^.*[/\\]/, '').replace(/\.json$/i, '');
    if (id.trim() === '') return 'a legacy API array names no product: pass the product id';
    return [{ product: canonicalEolProduct(id), releases: doc, read: legacyCycle }];
  }
  if (!isObject(doc)) return 'expected an endoflife.date product document, API response or release array';
  if ('result' in doc) {
    const result = doc['result'];
    const list = Array.isArray(result) ? result : [result];
    const out: ProductReleases[] = [];
    for (const p of list) {
      if (!isObject(p) || typeof p['name'] !== 'string') return 'result: expected a product with a name';
      out.push({ product: canonicalEolProduct(p['name']), releases: p['releases'], read: v1Cycle });
    }
    return out;
  }
  if ('releases' in doc)
    return [frontMatter(doc, product ?? file.replace(/^.*[/\\]/, '').replace(/\.json$/i, ''))];
  const entries = Object.entries(doc);
  if (entries.length > 0 && entries.every(([, v]) => isObject(v) && 'releases' in v)) {
    return entries.map(([key, v]) => frontMatter(v as Record<string, unknown>, key));
  }
  return 'expected an endoflife.date product document, API response or release array';
}

function frontMatter(doc: Record<string, unknown>, fallback: string): ProductReleases {
  const permalink = doc['permalink'];
  const id = typeof permalink === 'string' && permalink.trim() !== '' ? permalink : fallback;
  return { product: canonicalEolProduct(id), releases: doc['releases'], read: frontMatterCycle };
}
