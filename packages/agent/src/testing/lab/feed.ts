/**
 * The lab's advisory feed: the fixes of the lab's packages (packages.ts) in the Debian security
 * tracker's DSA list format (`data/DSA/list`), so `patchloop feeds import debian-dsa FILE` imports
 * it like the real list:
 *
 *   [02 Jan 2025] DSA-9001-1 pl-app - security update
 *   	{CVE-2099-90011}
 *   	[bookworm] - pl-app 1.0-2
 *
 * The CVE ids are made up (year 2099) so they never collide with real ones in a shared store.
 */

export interface LabAdvisory {
  /** `DSA-9001-1`. */
  readonly advisoryId: string;
  /** The source package (the lab's packages are their own source). */
  readonly package: string;
  /** The version that fixes it. */
  readonly fixed: string;
  /** The release codename of the `[release]` line. */
  readonly release: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly cves: readonly string[];
  /** The header's title; default `security update`. */
  readonly title?: string;
}

/** The lab's advisories: one per package whose 1.0-2 the scenarios install. */
export const LAB_ADVISORIES: readonly LabAdvisory[] = [
  {
    advisoryId: 'DSA-9001-1',
    package: 'pl-app',
    fixed: '1.0-2',
    release: 'bookworm',
    date: '2025-01-02',
    cves: ['CVE-2099-90011'],
  },
  {
    advisoryId: 'DSA-9002-1',
    package: 'pl-broken',
    fixed: '1.0-2',
    release: 'bookworm',
    date: '2025-01-03',
    cves: ['CVE-2099-90021'],
  },
  {
    advisoryId: 'DSA-9003-1',
    package: 'pl-kernel-ish',
    fixed: '1.0-2',
    release: 'bookworm',
    date: '2025-01-04',
    cves: ['CVE-2099-90031', 'CVE-2099-90032'],
  },
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2025-01-02` → `02 Jan 2025`, the list's date format. */
function listDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  if (!m || month === undefined) throw new Error(`invalid date ${JSON.stringify(iso)} (expected YYYY-MM-DD)`);
  return `${m[3]} ${month} ${m[1]}`;
}

/**
 * The text of a DSA list naming `advisories` (default: LAB_ADVISORIES), newest first like the
 * tracker's list. A single advisory may be given alone.
 */
export function labDsaList(advisories: LabAdvisory | readonly LabAdvisory[] = LAB_ADVISORIES): string {
  const list: readonly LabAdvisory[] = Array.isArray(advisories) ? advisories : [advisories as LabAdvisory];
  const lines: string[] = [];
  for (const a of [...list].sort((x, y) => y.date.localeCompare(x.date))) {
    if (!/^DSA-\d+(-\d+)?$/.test(a.advisoryId)) throw new Error(`${a.advisoryId} is not a DSA id`);
    lines.push(`[${listDate(a.date)}] ${a.advisoryId} ${a.package} - ${a.title ?? 'security update'}`);
    if (a.cves.length > 0) lines.push(`\t{${a.cves.join(' ')}}`);
    lines.push(`\t[${a.release}] - ${a.package} ${a.fixed}`);
  }
  return `${lines.join('\n')}\n`;
}
