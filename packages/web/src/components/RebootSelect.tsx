/** A manual deployment's reboot mode. */
import type { DeploymentCreate } from '../api/types.js';

export type RebootMode = NonNullable<DeploymentCreate['reboot']>;

export function RebootSelect({ value, onChange }: { value: RebootMode; onChange: (v: RebootMode) => void }) {
  return (
    <label>
      Reboot{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as RebootMode)}>
        <option value="never">never</option>
        <option value="if-required">if required</option>
        <option value="always">always</option>
      </select>
    </label>
  );
}
