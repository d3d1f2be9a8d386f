/** Risk exceptions: the list, requests and decisions. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client.js';
import { endpoints } from './endpoints.js';
import { keys } from './keys.js';
import { useChange, type ChangeOptions } from './mutation.js';
import type { ExceptionCreate, ExceptionInfo, ExceptionList } from './types.js';

export type ExceptionDecision = 'approve' | 'reject' | 'revoke';

export function useExceptions(status: string) {
  return useQuery({
    queryKey: keys.exceptions.list(status),
    queryFn: () => api.get<ExceptionList>(endpoints.exceptions, { status, limit: 1000 }),
  });
}

export function useRequestException(opts: ChangeOptions<ExceptionInfo, ExceptionCreate> = {}) {
  return useChange(
    'exception.request',
    (body: ExceptionCreate) => api.post<ExceptionInfo>(endpoints.exceptions, body),
    opts,
  );
}

export function useDecideException(id: number) {
  return useChange('exception.decide', (action: ExceptionDecision) =>
    api.post<ExceptionInfo>(endpoints.exceptionDecision(id, action), {}),
  );
}
