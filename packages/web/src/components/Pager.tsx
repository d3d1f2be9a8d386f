/** Server-side paging: "1–100 of 12,345", previous/next, page size. */
import { formatNumber } from './format.js';

interface Props {
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
  readonly onChange: (offset: number, limit: number) => void;
  readonly sizes?: readonly number[];
}

export function Pager({ offset, limit, total, onChange, sizes = [50, 100, 500, 1000] }: Props) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label="Pages">
      <span role="status" aria-live="polite">
        {formatNumber(first)}–{formatNumber(last)} of {formatNumber(total)}
      </span>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit), limit)}
      >
        Previous
      </button>
      <button type="button" disabled={last >= total} onClick={() => onChange(offset + limit, limit)}>
        Next
      </button>
      <label>
        Rows per page{' '}
        <select value={limit} onChange={(e) => onChange(0, Number(e.target.value))}>
          {sizes.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
