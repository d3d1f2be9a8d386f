/**
 * A table that stays fast with thousands of rows: only the rows in view are
 * in the DOM (spacer rows keep the scroll height), headers sort on the
 * server, and rows can be selected for bulk actions. It stays a real <table>
 * so screen readers and keyboard users get rows and columns.
 */
import { observeElementRect, useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  readonly render: (row: T) => ReactNode;
  /** The server's sort key for this column, when it sorts. */
  readonly sort?: string;
  readonly className?: string;
}

export interface Sort {
  readonly key: string;
  readonly order: 'asc' | 'desc';
}

interface Props<T> {
  readonly caption: string;
  readonly rows: readonly T[];
  readonly columns: readonly Column<T>[];
  readonly rowKey: (row: T) => string | number;
  readonly sort?: Sort | undefined;
  readonly onSort?: (sort: Sort) => void;
  readonly selected?: ReadonlySet<string | number>;
  readonly onSelect?: (keys: Set<string | number>) => void;
  readonly rowLabel?: (row: T) => string;
  /** Height of the scrolling area (CSS). */
  readonly maxHeight?: string;
}

const ROW_HEIGHT = 40;
const FALLBACK_RECT = { width: 1200, height: 800 };

export function DataTable<T>(p: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the table re-renders with its rows; nothing memoizes it
  const virtual = useVirtualizer({
    count: p.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: FALLBACK_RECT,
    // Without layout (a hidden tab, a test without a browser) the area measures 0×0: show a screenful anyway.
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) =>
        cb(rect.height === 0 && rect.width === 0 ? FALLBACK_RECT : rect),
      ),
  });
  const items = virtual.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = items.length > 0 ? virtual.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const selectable = p.onSelect !== undefined && p.selected !== undefined;
  const allKeys = p.rows.map(p.rowKey);
  const allSelected = selectable && allKeys.length > 0 && allKeys.every((k) => p.selected?.has(k));
  const colCount = p.columns.length + (selectable ? 1 : 0);

  const toggle = (key: string | number) => {
    const next = new Set(p.selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    p.onSelect?.(next);
  };

  return (
    // Focusable so keyboard users can scroll it; named after its table.
    <div
      className="table-scroll"
      ref={scroller}
      style={{ maxHeight: p.maxHeight ?? '70vh' }}
      tabIndex={0}
      role="region"
      aria-label={p.caption}
    >
      <table className="data-table" aria-rowcount={p.rows.length + 1}>
        <caption className="visually-hidden">{p.caption}</caption>
        <thead>
          <tr>
            {selectable ? (
              <th scope="col" className="col-select">
                <input
                  type="checkbox"
                  aria-label="Select all rows on this page"
                  checked={allSelected}
                  onChange={() => p.onSelect?.(allSelected ? new Set() : new Set(allKeys))}
                />
              </th>
            ) : null}
            {p.columns.map((c) => {
              const active = c.sort !== undefined && p.sort?.key === c.sort;
              const ariaSort = active ? (p.sort?.order === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th key={c.key} scope="col" aria-sort={ariaSort} className={c.className}>
                  {c.sort && p.onSort ? (
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() =>
                        p.onSort?.({
                          key: c.sort as string,
                          order: active && p.sort?.order === 'desc' ? 'asc' : 'desc',
                        })
                      }
                    >
                      {c.header}
                      <span aria-hidden="true">
                        {active ? (p.sort?.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {top > 0 ? (
            <tr aria-hidden="true" style={{ height: top }}>
              <td colSpan={colCount} />
            </tr>
          ) : null}
          {items.map((v) => {
            const row = p.rows[v.index] as T;
            const key = p.rowKey(row);
            return (
              <tr key={key} aria-rowindex={v.index + 2} style={{ height: ROW_HEIGHT }}>
                {selectable ? (
                  <td className="col-select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${p.rowLabel ? p.rowLabel(row) : String(key)}`}
                      checked={p.selected?.has(key) ?? false}
                      onChange={() => toggle(key)}
                    />
                  </td>
                ) : null}
                {p.columns.map((c) => (
                  <td key={c.key} className={c.className}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            );
          })}
          {bottom > 0 ? (
            <tr aria-hidden="true" style={{ height: bottom }}>
              <td colSpan={colCount} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
