/** Small status labels: text always says what the colour means. */

const SEVERITY_CLASS: Record<string, string> = {
  critical: 'sev-critical',
  high: 'sev-high',
  medium: 'sev-medium',
  low: 'sev-low',
};

export function SeverityBadge({ severity }: { severity: string | null }) {
  const s = severity ?? 'unknown';
  return <span className={`badge ${SEVERITY_CLASS[s] ?? 'sev-unknown'}`}>{s}</span>;
}

export function PriorityBadge({ priority }: { priority: string | null | undefined }) {
  if (!priority) return <span className="badge">—</span>;
  return <span className={`badge prio-${priority.toLowerCase()}`}>{priority}</span>;
}

export function KevBadge({ ransomware }: { ransomware?: boolean }) {
  return (
    <span className="badge kev" title="In CISA's Known Exploited Vulnerabilities catalog">
      KEV{ransomware ? ' · ransomware' : ''}
    </span>
  );
}

const STATE_CLASS: Record<string, string> = {
  breached: 'state-bad',
  missed: 'state-bad',
  failed: 'state-bad',
  halted: 'state-bad',
  eol: 'state-bad',
  'EOL: eol': 'state-bad',
  'timed-out': 'state-bad',
  rejected: 'state-bad',
  'security updates pending': 'state-bad',
  'not assessed': 'state-warn',
  'not deployable': 'state-warn',
  EOL: 'state-bad',
  'extended only': 'state-warn',
  'EOL soon': 'state-warn',
  'reboot pending': 'state-warn',
  'updates pending': 'state-warn',
  'security-support-ended': 'state-warn',
  'eol-within-90-days': 'state-warn',
  'up to date': 'state-good',
  'due-soon': 'state-warn',
  partial: 'state-warn',
  stale: 'state-warn',
  'reboot required': 'state-warn',
  requested: 'state-warn',
  running: 'state-info',
  dispatched: 'state-info',
  planned: 'state-info',
  baking: 'state-info',
  succeeded: 'state-good',
  ok: 'state-good',
  passed: 'state-good',
  supported: 'state-good',
  completed: 'state-good',
  met: 'state-good',
  approved: 'state-good',
  active: 'state-good',
};

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge ${STATE_CLASS[state] ?? ''}`}>{state}</span>;
}

/**
 * Another host has the same hostname (cloned VMs, `localhost`): said so, with what tells this
 * one apart — its machine id's first characters, or its host id where the machine id is hidden
 * (auditors).
 */
export function DuplicateNameBadge({ h }: { h: { id: number; machineId: string | null } }) {
  const which = h.machineId ? `machine ${h.machineId.slice(0, 8)}` : `host #${h.id}`;
  return (
    <span
      className="badge state-warn"
      title="Another host has this hostname: hosts are told apart by id, never by name"
    >
      duplicate name · {which}
    </span>
  );
}
