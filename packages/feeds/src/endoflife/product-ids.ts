/**
 * endoflife.date product ids. The id is the product page's permalink (`/alpine-linux` →
 * `alpine-linux`), which is also the API's product name; older and shorter ids redirect to it
 * (`alternate_urls` in the product's front matter). Patchloop stores cycles under the current id,
 * so `alpine`, `rocky` or `redhat` given by a caller, or found in a legacy file name, are mapped to
 * `alpine-linux`, `rocky-linux`, `rhel`.
 *
 * The list covers the products of the shared fixtures (endoflife.date @ 2026-08-22), taken from
 * their `alternate_urls`; an id not listed is used as given (lower-cased).
 */
export const EOL_PRODUCT_ALIASES: Readonly<Record<string, string>> = {
  'alma-linux': 'almalinux',
  alma: 'almalinux',
  alpine: 'alpine-linux',
  alpinelinux: 'alpine-linux',
  mac: 'macos',
  node: 'nodejs',
  postgres: 'postgresql',
  pg: 'postgresql',
  psql: 'postgresql',
  pgsql: 'postgresql',
  redhat: 'rhel',
  redhatlinux: 'rhel',
  rocky: 'rocky-linux',
  rockylinux: 'rocky-linux',
  suseenterpriseserver: 'sles',
  suseserver: 'sles',
  suselinuxenterpriseserver: 'sles',
  'ubuntu-linux': 'ubuntu',
  windowsserver: 'windows-server',
};

/** The current endoflife.date id for a product id, alias or permalink (`/alpine` → `alpine-linux`). */
export function canonicalEolProduct(id: string): string {
  const key = id
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();
  return EOL_PRODUCT_ALIASES[key] ?? key;
}
