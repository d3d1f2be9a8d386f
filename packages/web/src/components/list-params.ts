/**
 * A list page's filters, sort and page live in the URL, so every figure on the
 * dashboard can link to the exact list behind it and a list can be shared.
 */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

export interface ListParams {
  readonly values: Readonly<Record<string, string>>;
  readonly offset: number;
  readonly limit: number;
  set(changes: Record<string, string | number | boolean | null | undefined>): void;
}

export function useListParams(defaultLimit = 100): ListParams {
  const [params, setParams] = useSearchParams();
  const values = useMemo(() => Object.fromEntries(params.entries()), [params]);
  const set = useCallback(
    (changes: Record<string, string | number | boolean | null | undefined>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === undefined || v === '' || v === false) next.delete(k);
            else next.set(k, String(v));
          }
          // A new filter starts from the first page.
          if (!('offset' in changes)) next.delete('offset');
          return next;
        },
        { replace: false },
      );
    },
    [setParams],
  );
  return {
    values,
    offset: Number(values.offset ?? 0) || 0,
    limit: Number(values.limit ?? defaultLimit) || defaultLimit,
    set,
  };
}

/** "true" → true, "false" → false, anything else → undefined. */
export function boolParam(v: string | undefined): boolean | undefined {
  return v === 'true' ? true : v === 'false' ? false : undefined;
}
