/** Formatting shared by every page (pure: tested without a browser). */

const dateTime = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  timeZone: 'UTC',
});

/** "05 Mar 2030, 14:07 UTC", or an em dash for nothing. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${dateTime.format(d)} UTC`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateOnly.format(d);
}

/** "3 minutes ago", "in 2 days": relative to `now`. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return 'never';
  const ms = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const label = `${n} ${name}${n === 1 ? '' : 's'}`;
      return ms < 0 ? `${label} ago` : `in ${label}`;
    }
  }
  return 'just now';
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 host", "3 hosts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

const OS_NAMES: Readonly<Record<string, string>> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  almalinux: 'AlmaLinux',
  rocky: 'Rocky Linux',
  rhel: 'RHEL',
  centos: 'CentOS',
  alpine: 'Alpine',
  fedora: 'Fedora',
  amzn: 'Amazon Linux',
  ol: 'Oracle Linux',
  'opensuse-leap': 'openSUSE Leap',
  sles: 'SLES',
  photon: 'Photon OS',
};

/**
 * One naming style for every OS: "Debian 12", "Ubuntu 22.04", "AlmaLinux 9.4", "Alpine 3.21"
 * (Alpine's patch level left out, as its advisories are per branch), from os-release's id and
 * VERSION_ID, never the free-form pretty name.
 */
export function osName(os: { id: string; versionId: string | null }): string {
  if (os.id === 'unknown') return 'unknown OS';
  const name = OS_NAMES[os.id] ?? os.id.charAt(0).toUpperCase() + os.id.slice(1);
  const version = os.id === 'alpine' ? os.versionId?.split('.').slice(0, 2).join('.') : os.versionId;
  return version ? `${name} ${version}` : name;
}

export const PATCH_STATUS_TEXT: Readonly<Record<string, string>> = {
  'security-updates-pending': 'security updates pending',
  'reboot-pending': 'reboot pending',
  'updates-pending': 'updates pending',
  'not-assessed': 'not assessed',
  'up-to-date': 'up to date',
};

/** "3 security · 12 other", "none", or "unknown" when the updates were not collected. */
export function formatPendingUpdates(p: { security: number; other: number } | null): string {
  if (p === null) return 'unknown';
  if (p.security + p.other === 0) return 'none';
  return `${formatNumber(p.security)} security · ${formatNumber(p.other)} other`;
}

/**
 * A URL from a feed, when it is safe to link: http: or https: only (a feed could carry
 * `javascript:` or `data:`, which would run in the console when clicked). Else null.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}
