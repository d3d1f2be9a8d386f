/** A mutation that invalidates what its change affects (invalidation.ts) once it succeeds. */
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { invalidate, type Change } from './invalidation.js';

export interface ChangeOptions<TData, TVars> {
  /** The caller's follow-up (reset a form, close a panel, navigate). */
  onSuccess?: (data: TData, vars: TVars) => void;
}

export function useChange<TData, TVars = void>(
  change: Change,
  mutationFn: (vars: TVars) => Promise<TData>,
  opts: ChangeOptions<TData, TVars> & {
    /** Puts the answer in the cache before the invalidation (the resource's own view). */
    update?: (qc: QueryClient, data: TData, vars: TVars) => void;
    onError?: (e: Error) => void;
    onMutate?: () => void;
  } = {},
) {
  const qc = useQueryClient();
  return useMutation<TData, Error, TVars>({
    mutationFn,
    ...(opts.onMutate ? { onMutate: opts.onMutate } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
    onSuccess: (data, vars) => {
      opts.update?.(qc, data, vars);
      void invalidate(qc, change);
      opts.onSuccess?.(data, vars);
    },
  });
}
