/**
 * What the risk score knows about a host and only people can say: criticality,
 * environment, exposure, owner, user risk, tags and groups (PATCH, audited,
 * the host is re-assessed).
 */
import { useState, type FormEvent } from 'react';
import { CRITICALITIES, ENVIRONMENTS, USER_RISKS } from '@patchloop/core/vocabulary';
import { useEditHost } from '../../api/hosts.js';
import type { Host, HostPatch } from '../../api/types.js';
import { ErrorNotice } from '../../components/states.js';

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);

/** Only the fields that changed (the API refuses an empty edit). */
export function hostChanges(h: Host, form: HostForm): HostPatch {
  const out: Record<string, unknown> = {};
  if (form.criticality !== h.criticality) out.criticality = form.criticality;
  if ((form.environment || null) !== h.environment) out.environment = form.environment || null;
  if (form.internetFacing !== h.internetFacing) out.internetFacing = form.internetFacing;
  if ((form.owner.trim() || null) !== h.owner) out.owner = form.owner.trim() || null;
  if (form.userRisk !== h.userRisk) out.userRisk = form.userRisk;
  if (list(form.tags).join(',') !== h.tags.join(',')) out.tags = list(form.tags);
  if (list(form.groups).join(',') !== h.groups.join(',')) out.groups = list(form.groups);
  return out as HostPatch;
}

export interface HostForm {
  criticality: string;
  environment: string;
  internetFacing: boolean;
  owner: string;
  userRisk: string;
  tags: string;
  groups: string;
}

export function HostEdit({ h, onDone }: { h: Host; onDone: () => void }) {
  const [form, setForm] = useState<HostForm>({
    criticality: h.criticality,
    environment: h.environment ?? '',
    internetFacing: h.internetFacing,
    owner: h.owner ?? '',
    userRisk: h.userRisk,
    tags: h.tags.join(', '),
    groups: h.groups.join(', '),
  });
  const set = (k: keyof HostForm, v: string | boolean) => setForm((f) => ({ ...f, [k]: v }));
  const changes = hostChanges(h, form);
  const save = useEditHost(h.id, { onSuccess: onDone });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(changes).length > 0) save.mutate(changes);
  };
  return (
    <form className="form-grid" onSubmit={submit} aria-label={`Edit ${h.hostname}`}>
      <label>
        Criticality
        <select value={form.criticality} onChange={(e) => set('criticality', e.target.value)}>
          {CRITICALITIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        Environment
        <select value={form.environment} onChange={(e) => set('environment', e.target.value)}>
          <option value="">not set</option>
          {ENVIRONMENTS.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        User risk
        <select value={form.userRisk} onChange={(e) => set('userRisk', e.target.value)}>
          {USER_RISKS.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        Owner
        <input value={form.owner} onChange={(e) => set('owner', e.target.value)} maxLength={256} />
      </label>
      <label>
        Tags (comma-separated)
        <input value={form.tags} onChange={(e) => set('tags', e.target.value)} />
      </label>
      <label>
        Groups (comma-separated)
        <input value={form.groups} onChange={(e) => set('groups', e.target.value)} />
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={form.internetFacing}
          onChange={(e) => set('internetFacing', e.target.checked)}
        />
        Internet-facing
      </label>
      <div className="wide toolbar">
        <button
          type="submit"
          className="primary"
          disabled={save.isPending || Object.keys(changes).length === 0}
        >
          Save host
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <span className="muted small">Saving re-assesses the host&apos;s risk and due dates.</span>
      </div>
      {save.isError ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}
