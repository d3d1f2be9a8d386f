/**
 * Where each feed is published. `feeds sync` downloads these; `--mirror DIR`
 * reads the same files from DIR/<source>/<mirror path> instead (air-gapped
 * sites copy them there), and `--url` replaces them (tests, private mirrors).
 * The publishers' base URLs are configuration too, so tests and private
 * mirrors of the whole layout exercise the same logic as the real hosts.
 */
import type { FeedSource } from '@patchloop/core';

export interface Endpoint {
  readonly url: string;
  /** The file's path under DIR/<source>/ in a mirror (also its name on disk while syncing). */
  readonly mirrorPath: string;
  /** What a failure names: an OSV ecosystem, an Alpine branch's file, an endoflife product. */
  readonly label: string;
  /** Tried when `url` answers 403 or cannot be reached (KEV's GitHub copy). */
  readonly fallback?: string;
}

export interface FeedBases {
  /** OSV's bucket: <base>/<Ecosystem>/{all.zip,modified_id.csv,<ID>.json}. */
  readonly osv: string;
  /** Canonical's Ubuntu OSV archive (the same records as OSV's Ubuntu, as one tar.xz). */
  readonly canonicalOsv: string;
  /** The Debian security tracker's data folder: <base>/{DSA,DLA}/list. */
  readonly debianTracker: string;
  /** Alpine secdb: <base>/ is a directory listing of branches, <base>/<branch>/<repo>.json. */
  readonly alpineSecdb: string;
  readonly kev: string;
  /** The official cisagov/kev-data copy, used when cisa.gov refuses (403) or is unreachable. */
  readonly kevFallback: string;
  readonly epss: string;
  /** The GitHub API listing cvelistV5's releases (each carries the baseline and hourly delta zips). */
  readonly cveReleases: string;
  /** NVD API 2.0's CVE endpoint (NVD's own CVSS; used only with an API key). */
  readonly nvd: string;
  /** endoflife.date API v1: <base>/<product>/. */
  readonly endoflife: string;
}

export interface EndpointConfig {
  /** OSV ecosystems to sync (the folder names; names with ':' are refused). */
  readonly osvEcosystems: readonly string[];
  /** More changes than this in modified_id.csv since the last sync: download all.zip instead. */
  readonly osvIncrementalMax: number;
  /**
   * Where Ubuntu's baseline comes from: OSV's Ubuntu/all.zip, Canonical's
   * osv-all.tar.xz, or whichever the servers say is smaller (HEAD).
   */
  readonly ubuntuArchive: 'osv' | 'canonical' | 'smaller';
  /** Alpine secdb branches, or 'discover' to read them from the secdb index page. */
  readonly alpineBranches: readonly string[] | 'discover';
  /** With 'discover': branches older than this are left out (edge is always kept). */
  readonly alpineOldestBranch: string;
  /** endoflife.date products. */
  readonly eolProducts: readonly string[];
  readonly bases: FeedBases;
}

export const OFFICIAL_BASES: FeedBases = {
  osv: 'https://osv-vulnerabilities.storage.googleapis.com',
  canonicalOsv: 'https://security-metadata.canonical.com/osv/osv-all.tar.xz',
  debianTracker: 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data',
  alpineSecdb: 'https://secdb.alpinelinux.org',
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  kevFallback: 'https://raw.githubusercontent.com/cisagov/kev-data/main/known_exploited_vulnerabilities.json',
  epss: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
  cveReleases: 'https://api.github.com/repos/CVEProject/cvelistV5/releases?per_page=100',
  nvd: 'https://services.nvd.nist.gov/rest/json/cves/2.0',
  endoflife: 'https://endoflife.date/api/v1/products',
};

/** Used when the secdb index page cannot be read. */
export const KNOWN_ALPINE_BRANCHES = ['v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22', 'v3.23', 'v3.24', 'edge'];

export const DEFAULT_ENDPOINT_CONFIG: EndpointConfig = {
  osvEcosystems: ['Debian', 'Ubuntu', 'AlmaLinux', 'Rocky Linux', 'Alpine'],
  osvIncrementalMax: 5000,
  ubuntuArchive: 'smaller',
  alpineBranches: 'discover',
  alpineOldestBranch: 'v3.18',
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
  bases: OFFICIAL_BASES,
};

/** A base URL with its trailing slashes removed, so paths join with one. */
export const trim = (base: string) => base.replace(/\/+$/, '');

export function alpineEndpoints(base: string, branches: readonly string[]): Endpoint[] {
  return branches.flatMap((b) =>
    ['main', 'community'].map((repo) => ({
      url: `${trim(base)}/${b}/${repo}.json`,
      mirrorPath: `${b}/${repo}.json`,
      label: `${b}/${repo}.json`,
    })),
  );
}

/**
 * The branches an Alpine secdb index page (an HTML directory listing) links
 * to: `v3.23/`, `edge/`; those older than `oldest` are left out.
 */
export function alpineBranchesFromIndex(html: string, oldest: string): string[] {
  const num = (b: string) => b.slice(1).split('.').map(Number) as [number, number];
  const [oMaj, oMin] = num(oldest);
  const found = new Set<string>();
  for (const m of html.matchAll(/href\s*=\s*["']?(?:\.?\/)?(v\d+\.\d+|edge)\/?["'\s>]/gi)) {
    found.add((m[1] as string).toLowerCase());
  }
  const keep = [...found].filter((b) => {
    if (b === 'edge') return true;
    const [maj, min] = num(b);
    return maj > oMaj || (maj === oMaj && min >= oMin);
  });
  return keep.sort((a, b) => {
    if (a === 'edge') return 1;
    if (b === 'edge') return -1;
    const [x1, y1] = num(a);
    const [x2, y2] = num(b);
    return x1 - x2 || y1 - y2;
  });
}

/**
 * The files of a source that is downloaded file by file. OSV (incremental),
 * Alpine with branch discovery and CVE (release assets) have their own
 * logic (sync-osv.ts, sync.ts, sync-cve.ts); for them this lists the plain
 * baseline files.
 */
export function officialEndpoints(
  source: FeedSource,
  config: EndpointConfig = DEFAULT_ENDPOINT_CONFIG,
): Endpoint[] {
  const b = config.bases;
  switch (source) {
    case 'osv':
      return config.osvEcosystems.map((e) => ({
        url: `${trim(b.osv)}/${encodeURIComponent(e)}/all.zip`,
        mirrorPath: `${e}/all.zip`,
        label: e,
      }));
    case 'debian-dsa':
      return [{ url: `${trim(b.debianTracker)}/DSA/list`, mirrorPath: 'DSA/list', label: 'DSA/list' }];
    case 'debian-dla':
      return [{ url: `${trim(b.debianTracker)}/DLA/list`, mirrorPath: 'DLA/list', label: 'DLA/list' }];
    case 'alpine-secdb':
      return alpineEndpoints(
        b.alpineSecdb,
        config.alpineBranches === 'discover' ? KNOWN_ALPINE_BRANCHES : config.alpineBranches,
      );
    case 'kev':
      return [
        {
          url: b.kev,
          mirrorPath: 'known_exploited_vulnerabilities.json',
          label: 'known_exploited_vulnerabilities.json',
          fallback: b.kevFallback,
        },
      ];
    case 'epss':
      return [{ url: b.epss, mirrorPath: 'epss_scores-current.csv.gz', label: 'epss_scores-current.csv.gz' }];
    case 'cve':
      // The release listing: sync picks the baseline and delta zips from it (cve-releases.ts).
      return [{ url: b.cveReleases, mirrorPath: 'releases.json', label: 'cvelistV5 releases' }];
    case 'endoflife':
      // The documented form of the URL ends with a slash.
      return config.eolProducts.map((p) => ({
        url: `${trim(b.endoflife)}/${encodeURIComponent(p)}/`,
        mirrorPath: `${p}.json`,
        label: p,
      }));
  }
}
