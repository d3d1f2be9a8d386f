/**
 * The console against a fake API in jsdom: fetch answers from the test's
 * route table (`GET /api/v1/hosts` and the like) and every request is
 * recorded, to assert on what the console sent.
 */
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { App, makeQueryClient } from '../App.js';

export interface Call {
  readonly method: string;
  readonly url: URL;
  readonly path: string;
  /** `GET /api/v1/hosts`: the method and path. */
  readonly route: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export function reply(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export const notFound = (route: string) =>
  reply(404, { error: { code: 'PL_NOT_FOUND', message: `no route ${route}` } });

/**
 * Stubs fetch with `answer` (a 404 where it returns nothing) and returns the
 * list the requests are recorded in (cleared by the next call).
 */
export function fakeApi(answer: (call: Call) => Response | undefined): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(String(input), 'http://console.test');
      const method = init.method ?? 'GET';
      const call: Call = {
        method,
        url,
        path: url.pathname,
        route: `${method} ${url.pathname}`,
        headers: (init.headers ?? {}) as Record<string, string>,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      calls.push(call);
      return answer(call) ?? notFound(call.route);
    }),
  );
  return calls;
}

/** The whole console, opened at `path`, with a fresh query cache. */
export function openConsole(path: string) {
  window.history.replaceState(null, '', path);
  return render(<App client={makeQueryClient()} />);
}
