/**
 * Where each feed is published. `feeds sync` downloads these; `--mirror DIR`
 * reads the same files from DIR/<source>/<mirror path> instead (air-gapped
 * sites copy them there), and `--url` replaces them (tests, private mirrors).
 */
import type { FeedSource } from '@patchloop/core';

export interface Endpoint {
  readonly url: string;
  /** The file's path under DIR/<source>/ in a mirror. */
  readonly mirrorPath: string;
}

export interface EndpointConfig {
  /** OSV ecosystems whose all.zip to download. */
  readonly osvEcosystems: readonly string[];
  /** Alpine secdb branches. */
  readonly alpineBranches: readonly string[];
  /** endoflife.date products. */
  readonly eolProducts: readonly string[];
}

export const DEFAULT_ENDPOINT_CONFIG: EndpointConfig = {
  osvEcosystems: ['Debian', 'Ubuntu', 'AlmaLinux', 'Rocky Linux', 'Alpine'],
  alpineBranches: ['v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22'],
  eolProducts: [
    'debian',
    'ubuntu',
    'almalinux',
    'rocky-linux',
    'rhel',
    'centos',
    'centos-stream',
    'alpine-linux',
    'amazon-linux',
    'sles',
    'windows',
    'windows-server',
    'macos',
  ],
};

const TRACKER = 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data';

export function officialEndpoints(
  source: FeedSource,
  config: EndpointConfig = DEFAULT_ENDPOINT_CONFIG,
): Endpoint[] {
  switch (source) {
    case 'osv':
      return config.osvEcosystems.map((e) => ({
        url: `https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(e)}/all.zip`,
        mirrorPath: `${e}/all.zip`,
      }));
    case 'debian-dsa':
      return [{ url: `${TRACKER}/DSA/list`, mirrorPath: 'DSA/list' }];
    case 'debian-dla':
      return [{ url: `${TRACKER}/DLA/list`, mirrorPath: 'DLA/list' }];
    case 'alpine-secdb':
      return config.alpineBranches.flatMap((b) =>
        ['main', 'community'].map((repo) => ({
          url: `https://secdb.alpinelinux.org/${b}/${repo}.json`,
          mirrorPath: `${b}/${repo}.json`,
        })),
      );
    case 'kev':
      return [
        {
          url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
          mirrorPath: 'known_exploited_vulnerabilities.json',
        },
      ];
    case 'epss':
      return [
        {
          url: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
          mirrorPath: 'epss_scores-current.csv.gz',
        },
      ];
    case 'cve':
      // cvelistV5's delta log lists the records added or updated in the last
      // 30 days with a link to each; sync fetches those records (see sync.ts).
      return [
        {
          url: 'https://raw.githubusercontent.com/CVEProject/cvelistV5/main/cves/deltaLog.json',
          mirrorPath: 'deltaLog.json',
        },
      ];
    case 'endoflife':
      return config.eolProducts.map((p) => ({
        url: `https://endoflife.date/api/v1/products/${p}`,
        mirrorPath: `${p}.json`,
      }));
  }
}
