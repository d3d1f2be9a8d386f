/** The controls of a list's filter bar, each bound to one URL parameter (list-params.ts). */
import { FINDING_SEVERITIES, PRIORITIES } from '@patchloop/core/vocabulary';
import type { ListParams } from './list-params.js';
import { Pager } from './Pager.js';

interface FilterProps {
  readonly params: ListParams;
  readonly name: string;
  readonly label: string;
}

export function TextFilter({ params, name, label, placeholder }: FilterProps & { placeholder?: string }) {
  return (
    <label>
      {label}
      <input
        type="search"
        value={params.values[name] ?? ''}
        placeholder={placeholder}
        onChange={(e) => params.set({ [name]: e.target.value })}
      />
    </label>
  );
}

export function SelectFilter({
  params,
  name,
  label,
  options,
  any = 'any',
}: FilterProps & { options: readonly (string | readonly [value: string, text: string])[]; any?: string }) {
  return (
    <label>
      {label}
      <select value={params.values[name] ?? ''} onChange={(e) => params.set({ [name]: e.target.value })}>
        <option value="">{any}</option>
        {options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}

export function CheckFilter({ params, name, label }: FilterProps) {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={params.values[name] === 'true'}
        onChange={(e) => params.set({ [name]: e.target.checked })}
      />
      {label}
    </label>
  );
}

/** The pager of a list whose page lives in the URL. */
export function ListPager({ params, total }: { params: ListParams; total: number }) {
  return (
    <Pager
      offset={params.offset}
      limit={params.limit}
      total={total}
      onChange={(offset, limit) => params.set({ offset, limit })}
    />
  );
}

export const SEVERITIES = FINDING_SEVERITIES;
export const PRIORITY_OPTIONS = PRIORITIES;
