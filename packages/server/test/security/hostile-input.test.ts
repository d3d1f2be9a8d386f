/**
 * Hostile input on every route the OpenAPI document lists (issue 15, the
 * standing suite): each body field, query parameter and path parameter in
 * turn gets NUL bytes, lone surrogates, long text, integers past 2^63,
 * negative and zero ids, path traversal, SQL metacharacters, prototype
 * pollution keys and values of the wrong type, the rest of the request
 * being valid so the value reaches the code behind validation; each body
 * also arrives whole as 10 MB, deeply nested, malformed or with unknown
 * properties. Sent with an admin credential (an agent's on agent routes).
 * Every answer is below 500 and every refusal a JSON error with a PL_ code;
 * the server answers /healthz after each route and no prototype is polluted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_SOURCES } from '@patchloop/core';
import type { WirePackage, WireUpdate } from '@patchloop/contracts';
import type { InstalledPackage } from '@patchloop/core';
import { enrollHost, hashOf } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, ENROLL_SECRET, startHarness, type Harness } from '../harness.js';
import { fieldPaths, operations, sample, withField, type Operation } from './openapi.js';

/** A number written into the JSON text as it is (beyond what a JavaScript number keeps). */
class Raw {
  constructor(readonly text: string) {}
}

const pollution = (key: string) => JSON.parse(`{"${key}":{"polluted":"yes","prototype":{"polluted":"yes"}}}`);

/** Values every body field gets in turn (wrong types included: each field gets all of them). */
const BODY_VALUES: [string, unknown][] = [
  ['NUL', '\u0000'],
  ['NUL inside', 'a\u0000b'],
  ['lone high surrogate', 'a\uD800b'],
  ['lone low surrogate', '\uDC00'],
  ['100k text', 'A'.repeat(100_000)],
  ['empty text', ''],
  ['blank text', ' \t '],
  ['path traversal', '../../etc/passwd'],
  ['encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['SQL quote', "' OR 1=1 --"],
  ['SQL statement', "x'); DROP TABLE host; --"],
  ['format string', '%s%n%x'],
  ['RTL override', 'a\u202Eb'],
  ['markup', '"><img src=x onerror=alert(1)>'],
  ['2^63', new Raw('9223372036854775808')],
  ['-2^63-1', new Raw('-9223372036854775809')],
  ['2^64', new Raw('18446744073709551616')],
  ['1e400', new Raw('1e400')],
  ['2^31', 2147483648],
  ['-1', -1],
  ['0', 0],
  ['1.5', 1.5],
  ['null', null],
  ['true', true],
  ['empty list', []],
  ['list of null', [null]],
  ['empty object', {}],
  ['nested 200 deep', JSON.parse('['.repeat(200) + ']'.repeat(200))],
  ['__proto__ object', pollution('__proto__')],
  ['constructor object', pollution('constructor')],
];

/** Query and path values, as they appear in the URL (percent-encoded). */
const URL_VALUES: [string, string][] = [
  ['NUL', '%00'],
  ['NUL inside', 'a%00b'],
  ['lone surrogate (CESU)', '%ED%A0%80'],
  ['invalid UTF-8', '%FF%FE'],
  ['bad percent escape', '%E0%A4%A'],
  ['%u escape', '%uD800'],
  ['path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['dot dot', '..'],
  ['SQL quote', "'%20OR%201%3D1%20--"],
  ['SQL statement', "x')%3B%20DROP%20TABLE%20host%3B%20--"],
  ['2^63', '9223372036854775808'],
  ['-2^63-1', '-9223372036854775809'],
  ['20 digits', '99999999999999999999'],
  ['-1', '-1'],
  ['0', '0'],
  ['1.5', '1.5'],
  ['1e400', '1e400'],
  ['hex', '0x10'],
  ['blank', '%20'],
  ['10k text', 'A'.repeat(10_000)],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['markup', '%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
];

/** Whole JSON bodies, as text. */
const WHOLE_BODIES: [string, string | Buffer][] = [
  ['10 MB string', `{"x":"${'A'.repeat(10 * 1024 * 1024)}"}`],
  ['100k nested lists', '['.repeat(100_000) + ']'.repeat(100_000)],
  ['100k nested objects', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)],
  ['__proto__ key', '{"__proto__":{"polluted":"yes"}}'],
  ['constructor.prototype', '{"constructor":{"prototype":{"polluted":"yes"}}}'],
  ['null', 'null'],
  ['list', '[]'],
  ['text', '"text"'],
  ['number', '1'],
  ['empty', ''],
  ['cut short', '{"a":'],
  ['NUL byte', '\u0000'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ['duplicate keys', '{"a":1,"a":2}'],
  ['1000 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])))],
];

function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (!(v instanceof Raw)) return v;
    raws.push(v.text);
    return `@@RAW${raws.length - 1}@@`;
  });
  return text.replace(/"@@RAW(\d+)@@"/g, (_m, i: string) => raws[Number(i)] as string);
}

const SOON = new Date(Date.now() + 30 * 86_400_000).toISOString();

const isAgentRoute = (op: Operation) => op.path.startsWith('/api/v1/agent/');

describe.each(BACKEND_NAMES)('hostile input on every route on %s', (backend) => {
  let h: Harness;
  let ops: Operation[];
  let agent: { hostId: number; credential: string };
  let exceptionId = 0;
  let address = 0;
  let fresh = 0;
  const MACHINE = 'machine-hostile-0001';

  beforeAll(async () => {
    h = await startHarness(backend, { config: { feedMirror: mkdtempSync(join(tmpdir(), 'pl-mirror-')) } });
    // Feed-sync jobs stay queued: nothing here runs them.
    h.ctx.wakeJobs = () => {};
    agent = await enrollHost(h.app, MACHINE, 'hostile-host');
    const users = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: h.auth('admin'),
      payload: { username: 'fuzzuser', password: 'fuzz-password-0123456', role: 'auditor' },
    });
    expect(users.statusCode, users.body).toBe(201);
    const policy = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/policies/fuzz',
      headers: h.auth('admin'),
      payload: { name: 'fuzz' },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const x = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exceptions',
      headers: h.auth('operator'),
      payload: {
        kind: 'false-positive',
        package: 'fuzz-pkg',
        justification: 'requested for the hostile input test',
        expiresAt: SOON,
      },
    });
    expect(x.statusCode, x.body).toBe(201);
    exceptionId = (x.json() as { id: number }).id;
    ops = await operations(h.app);
  });
  afterAll(() => h?.close());

  /** Values chosen by field name, so the rest of a request names things that exist. */
  const named = (name: string): unknown =>
    ({
      machineId: MACHINE,
      secret: ENROLL_SECRET,
      hostId: agent.hostId,
      hostIds: [agent.hostId],
      hosts: [agent.hostId],
      policy: 'fuzz',
      expiresAt: SOON,
      content:
        'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\n',
    })[name];

  /**
   * What keeps a changed body valid apart from the changed field, so the value gets as far as it
   * can: a check-in's inventory hash (else refused before its packages are read), a machine id
   * not enrolled yet (else enrollment stops at "already enrolled").
   */
  function finish(op: Operation, body: unknown, changed: readonly (string | number)[]): unknown {
    const b = body as Record<string, unknown>;
    if (op.path === '/api/v1/enroll' && changed[0] !== 'machineId') b.machineId = `machine-fuzz-${++fresh}`;
    if (op.path === '/api/v1/hosts/import' && changed[0] !== 'os') b.os = 'debian:12';
    const inv = b.inventory as { kind?: string; manager?: string; packages?: unknown; updates?: unknown };
    if (
      op.path === '/api/v1/agent/checkin' &&
      inv?.kind === 'full' &&
      changed.join('.') !== 'inventory.hash'
    ) {
      try {
        const pkgs = (inv.packages as WirePackage[]).map((p) => ({
          ...p,
          vendor: p.vendor ? p.vendor : null,
          ...(p.epochKnown === false ? { epochKnown: false } : {}),
        }));
        (inv as { hash: string }).hash = hashOf(
          inv.manager as 'dpkg',
          pkgs as InstalledPackage[],
          inv.updates as WireUpdate[] | null,
        );
      } catch {
        // A value the hash cannot be computed over is refused before the hash is checked.
      }
    }
    return body;
  }

  /** A path parameter that exists; DELETE gets one that does not (the fixtures stay). */
  function pathValue(op: Operation, name: string): string {
    if (op.method === 'DELETE') return name === 'id' ? '999999' : 'fuzz-gone';
    if (name === 'username') return 'fuzzuser';
    if (name === 'name') return 'fuzz';
    if (name === 'source') return 'kev';
    if (name === 'id' && op.path.startsWith('/api/v1/hosts/')) return String(agent.hostId);
    if (name === 'id' && op.path.startsWith('/api/v1/exceptions/')) return String(exceptionId);
    const p = op.parameters.find((x) => x.in === 'path' && x.name === name);
    return encodeURIComponent(String(sample(p?.schema ?? {}, () => undefined, name)));
  }

  function url(op: Operation, path: Record<string, string> = {}, query: string | null = null): string {
    const filled = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => path[name] ?? pathValue(op, name));
    const required = op.parameters
      .filter((p) => p.in === 'query' && p.required)
      .map((p) => `${p.name}=${encodeURIComponent(String(sample(p.schema)))}`);
    const q =
      query === null
        ? required
        : [query, ...required.filter((r) => !query.startsWith(`${r.split('=')[0]}=`))];
    return q.length > 0 ? `${filled}?${q.join('&')}` : filled;
  }

  function send(op: Operation, target: string, body?: string | Buffer, contentType = 'application/json') {
    address++;
    return h.app.inject({
      method: op.method as 'GET',
      url: target,
      // Its own source address per request: the sign-in and enrollment throttles would soon
      // answer 429 to everything, before the value reached the code this test is after.
      remoteAddress: `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
      headers: {
        authorization: `Bearer ${isAgentRoute(op) ? agent.credential : h.tokens.admin}`,
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      ...(body !== undefined ? { payload: body } : {}),
    });
  }

  /** What is wrong with an answer, or null: below 500, and a refusal is {"error":{code: PL_…}}. */
  function problem(r: { statusCode: number; body: string }): string | null {
    if (r.statusCode >= 500) return `${r.statusCode} ${r.body.slice(0, 160)}`;
    if (r.statusCode < 400) return null;
    try {
      const code = (JSON.parse(r.body) as { error?: { code?: unknown } }).error?.code;
      return typeof code === 'string' && /^PL_[A-Z0-9_]+$/.test(code)
        ? null
        : `${r.statusCode} without a PL_ code: ${r.body.slice(0, 160)}`;
    } catch {
      return `${r.statusCode} not JSON: ${r.body.slice(0, 160)}`;
    }
  }

  it('lists every /api/v1 route the server registered, each with its fields', () => {
    expect(ops.filter((o) => o.path.startsWith('/api/v1/')).length).toBeGreaterThan(50);
    expect(ops.some((o) => fieldPaths(o.body['application/json'] ?? {}).length > 5)).toBe(true);
  });

  it('answers every hostile value below 500 with a PL_ code, and /healthz after each route', async () => {
    const failures: string[] = [];
    const accepted: string[] = [];
    const note = (op: Operation, what: string, r: { statusCode: number; body: string }) => {
      const p = problem(r);
      if (p !== null) failures.push(`${op.method} ${op.path} ${what}: ${p}`);
    };
    for (const op of ops) {
      const schema = op.body['application/json'];
      const base = schema ? finish(op, sample(schema, named), []) : undefined;
      const baseText = base === undefined ? undefined : toJson(base);
      const valid = await send(op, url(op), baseText);
      note(op, 'valid request', valid);
      if (valid.statusCode < 300) accepted.push(`${op.method} ${op.path}`);

      if (schema) {
        for (const path of fieldPaths(schema)) {
          for (const [label, value] of BODY_VALUES) {
            const body = toJson(finish(op, withField(base, schema, path, value, named), path));
            note(op, `body ${path.join('.')} = ${label}`, await send(op, url(op), body));
          }
        }
        for (const [label, body] of WHOLE_BODIES) note(op, `body ${label}`, await send(op, url(op), body));
        if (base !== null && typeof base === 'object' && !Array.isArray(base)) {
          const extra = toJson({ ...base, unknownField: 1 });
          note(op, 'body with an unknown field', await send(op, url(op), extra));
        }
        note(op, 'body as text/plain', await send(op, url(op), baseText, 'text/plain'));
        note(op, 'body as UTF-16', await send(op, url(op), baseText, 'application/json; charset=utf-16'));
      }

      for (const p of op.parameters) {
        for (const [label, value] of URL_VALUES) {
          const target = p.in === 'path' ? url(op, { [p.name]: value }) : url(op, {}, `${p.name}=${value}`);
          note(op, `${p.in} ${p.name} = ${label}`, await send(op, target, baseText));
        }
        if (p.in === 'query') {
          for (const q of [`${p.name}=a&${p.name}=b`, `${p.name}[]=a`, `${p.name}[__proto__]=a`]) {
            note(op, `query ${q}`, await send(op, url(op, {}, q), baseText));
          }
        }
      }
      for (const q of ['__proto__=1', 'constructor=1', 'unknown=1', 'toString=1', '__proto__[polluted]=1']) {
        note(op, `query ${q}`, await send(op, url(op, {}, q), baseText));
      }

      const health = await h.app.inject({ method: 'GET', url: '/healthz' });
      if (health.statusCode !== 200)
        failures.push(`/healthz after ${op.method} ${op.path}: ${health.statusCode}`);
    }
    expect(failures).toEqual([]);
    // The changed values reached the code behind validation: these valid requests got through.
    expect(accepted).toEqual(
      expect.arrayContaining([
        'POST /api/v1/enroll',
        'POST /api/v1/agent/checkin',
        'POST /api/v1/hosts/import',
        'POST /api/v1/tokens',
        'POST /api/v1/users',
        'GET /api/v1/hosts',
        'GET /api/v1/policies/{name}/simulate',
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  }, 600_000);

  // What this file found first (each gave 500, or a body without a PL_ code, before the fix).
  it('refuses NUL in a query, ids past 2^53, Infinity and undecodable paths with 400 PL_REQUEST_INVALID', async () => {
    const get = (u: string) => h.app.inject({ method: 'GET', url: u, headers: h.auth('admin') });
    const cases: [string, number, RegExp][] = [
      ['/api/v1/hosts?q=a%00b', 400, /^q contains a NUL character/],
      ['/api/v1/audit?action=%00', 400, /action contains a NUL/],
      ['/api/v1/hosts?offset=9223372036854775808', 400, /offset is an integer beyond/],
      ['/api/v1/hosts/99999999999999999999', 400, /id is an integer beyond/],
      ['/api/v1/exceptions?hostId=1e400', 400, /hostId/],
      ['/api/v1/hosts/%FF%FE', 400, /percent-escape/],
      [`/api/v1/policies/${'A'.repeat(10_000)}`, 414, /too long/],
    ];
    for (const [target, status, message] of cases) {
      const r = await get(target);
      const body = r.json() as { error: { code: string; message: string } };
      expect([target.slice(0, 60), r.statusCode, body.error.code]).toEqual([
        target.slice(0, 60),
        status,
        'PL_REQUEST_INVALID',
      ]);
      expect(body.error.message).toMatch(message);
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    const infinite = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exceptions',
      headers: { ...h.auth('operator'), 'content-type': 'application/json' },
      payload: `{"kind":"accepted-risk","hostId":1e400,"justification":"x","expiresAt":"${SOON}"}`,
    });
    expect([infinite.statusCode, infinite.json().error.message]).toEqual([
      400,
      'hostId is not a finite number',
    ]);
  });

  it('answers garbage, empty, 10 MB and cut-short feed uploads for every source with a PL_ code', async () => {
    const op = ops.find((o) => o.path === '/api/v1/feeds/{source}/import');
    expect(op).toBeDefined();
    const zipHead = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]);
    const bodies: [string, string, Buffer][] = [
      ['empty', 'feed.json', Buffer.alloc(0)],
      ['NUL bytes', 'feed.json', Buffer.alloc(1024)],
      ['cut-short zip', 'feed.zip', zipHead],
      ['10 MB of noise', 'feed.tar.xz', Buffer.alloc(10 * 1024 * 1024, 0xa5)],
      ['JSON with NUL', 'feed.json', Buffer.from('{"vulnerabilities":[{"cveID":"CVE-2024-0001\\u0000"}]}')],
      ['JSON nested 100k', 'feed.json', Buffer.from('['.repeat(100_000) + ']'.repeat(100_000))],
    ];
    const failures: string[] = [];
    // Each upload is parsed in a child process (a fraction of a second each): every source gets
    // two of the bodies in turn, and every body goes to at least four sources.
    const sources = [...FEED_SOURCES, 'nope'];
    for (const [i, source] of sources.entries()) {
      for (const k of [i, i + 1]) {
        const [label, name, body] = bodies[k % bodies.length] as [string, string, Buffer];
        const target = `/api/v1/feeds/${source}/import?name=${name}`;
        const p = problem(await send(op as Operation, target, body, 'application/octet-stream'));
        if (p !== null) failures.push(`${source} ${name} ${label}: ${p}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  }, 600_000);
});
