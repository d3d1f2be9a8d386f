/**
 * Wire formats of endoflife.date (https://endoflife.date, repository endoflife-date/endoflife.date).
 * Dates are YYYY-MM-DD strings; the support fields hold a date or a boolean ("ended, date unknown" /
 * "not ended, no date").
 *
 * 1. Product front matter (products/<id>.md in the repository), as JSON: one product, or an object
 *    of them keyed by file name (`_all_products.json`). The product id is `permalink` without its
 *    slash; `alternate_urls` (only in the .md) are older or shorter ids that redirect to it.
 * 2. API v1, `https://endoflife.date/api/v1/products/<id>/`: `{ schema_version, generated_at,
 *    last_modified, result: { name, aliases, label, category, tags, versionCommand, identifiers,
 *    labels, links, releases: [...] } }`, where the union fields of the front matter are split in
 *    two (`eol` → `isEol` + `eolFrom`, `eoas` → `isEoas` + `eoasFrom`, `eoes` → `isEoes` +
 *    `eoesFrom`, `lts` → `isLts` + `ltsFrom`); `isEoas`/`isEoes` are left out for products without
 *    those columns; `is*` flags are computed when the site is built. `/api/v1/products/full/` has
 *    `result: [product, …]`. (Source: _plugins/generate-api-v1.rb, CHANGELOG_API.md.)
 * 3. Legacy API v0, `https://endoflife.date/api/<id>.json`: an array of the front matter releases
 *    with `releaseCycle` renamed `cycle`; older generations of it name the support fields `support`
 *    and `extendedSupport`, and may give `cycle`/`latest` as numbers.
 */

export type DateOrBool = string | boolean;

/** A release cycle in the product front matter (format 1). */
export interface RawFrontMatterRelease {
  readonly releaseCycle: string;
  readonly releaseLabel?: string;
  readonly codename?: string;
  readonly releaseDate: string;
  /** End of active support (older name: `support`). */
  readonly eoas?: DateOrBool;
  readonly eol: DateOrBool;
  /** End of extended support (older name: `extendedSupport`). */
  readonly eoes?: DateOrBool;
  /** true, or the date the cycle became (becomes) LTS. */
  readonly lts?: DateOrBool;
  readonly discontinued?: DateOrBool;
  readonly latest?: string;
  readonly latestReleaseDate?: string;
  readonly link?: string | null;
}

export interface RawFrontMatterProduct {
  readonly title: string;
  readonly category?: string;
  /** `/alpine-linux` */
  readonly permalink?: string;
  readonly releases: readonly RawFrontMatterRelease[];
}

/** `_all_products.json`: file name (without .md) → front matter. */
export type RawAllProducts = Readonly<Record<string, RawFrontMatterProduct>>;

/** A release in API v1 (format 2). */
export interface RawV1Release {
  readonly name: string;
  readonly codename: string | null;
  readonly label: string | null;
  readonly releaseDate: string | null;
  readonly isLts: boolean;
  readonly ltsFrom: string | null;
  readonly isEoas?: boolean;
  readonly eoasFrom?: string | null;
  readonly isEol: boolean;
  readonly eolFrom: string | null;
  readonly isDiscontinued?: boolean;
  readonly discontinuedFrom?: string | null;
  readonly isEoes?: boolean;
  readonly eoesFrom?: string | null;
  readonly isMaintained: boolean;
  readonly latest: {
    readonly name: string | null;
    readonly date: string | null;
    readonly link: string | null;
  } | null;
}

export interface RawV1Product {
  /** The product id: `alpine-linux`. */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly label?: string;
  readonly releases: readonly RawV1Release[];
}

export interface RawV1ProductResponse {
  readonly schema_version?: string;
  readonly generated_at?: string;
  readonly last_modified?: string;
  readonly result: RawV1Product;
}

/** A cycle of the legacy API v0 (format 3). */
export interface RawV0Cycle {
  readonly cycle: string | number;
  readonly codename?: string | null;
  readonly releaseDate?: string;
  readonly eol: DateOrBool;
  readonly support?: DateOrBool;
  readonly eoas?: DateOrBool;
  readonly extendedSupport?: DateOrBool;
  readonly eoes?: DateOrBool;
  readonly lts?: DateOrBool;
  readonly latest?: string | number;
  readonly latestReleaseDate?: string;
  readonly link?: string | null;
}
