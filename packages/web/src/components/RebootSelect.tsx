/** A manual deployment's reboot mode. */
export function RebootSelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <label>
      Reboot{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="never">never</option>
        <option value="if-required">if required</option>
        <option value="always">always</option>
      </select>
    </label>
  );
}
