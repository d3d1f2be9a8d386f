/**
 * The audit chain's hash, exactly. For the event with sequence number `seq`:
 *
 *   hash = lower-case hex of SHA-256 over the UTF-8 bytes of
 *          canonical([seq, at, actor, action, target, before, after, prev_hash])
 *
 * - `canonical(v)` is JSON with no whitespace and every object's keys sorted by
 *   UTF-16 code units (JavaScript's default sort); strings and numbers are
 *   written as `JSON.stringify` writes them (ECMA-262), so a value reads back
 *   from jsonb to the same text.
 * - `seq` is a JSON number (1, 2, …); `at` the instant as an ISO 8601 string
 *   in UTC with milliseconds (`2024-05-01T12:00:00.000Z`, `Date#toISOString`).
 * - `before` and `after` are the stored (already redacted) values, `null` when
 *   absent; stored as SQL NULL in that case.
 * - `prev_hash` is the previous event's hash, 64 zeros (`GENESIS_HASH`) for
 *   seq 1.
 *
 * Example: `[1,"2024-05-01T12:00:00.000Z","admin","host.edit","host:web-1",{"a":1},null,"000…0"]`.
 */
import { createHash } from 'node:crypto';
import { PatchloopError } from '@patchloop/core';

export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: one stored event. */
export interface HashedFields {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly prevHash: string;
}

function encode(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(encode).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(o[k])}`).join(',')}}`;
}

/**
 * Plain JSON data for any value (`toJSON` applied, `undefined` members
 * dropped, `undefined` itself null); throws PL_AUDIT_EVENT_INVALID for what
 * JSON cannot hold (a BigInt, a cycle).
 */
export function toJsonData(value: unknown): unknown {
  if (value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new PatchloopError(
      'PL_AUDIT_EVENT_INVALID',
      `an audit value is not JSON data: ${(e as Error).message}`,
    );
  }
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/** Canonical JSON: sorted keys, no whitespace. */
export function canonicalJson(value: unknown): string {
  return encode(toJsonData(value));
}

/** The exact text the hash is computed over (see the comment at the top). */
export function hashInput(e: HashedFields): string {
  return encode([
    e.seq,
    e.at.toISOString(),
    e.actor,
    e.action,
    e.target,
    toJsonData(e.before),
    toJsonData(e.after),
    e.prevHash,
  ]);
}

export function eventHash(e: HashedFields): string {
  return createHash('sha256').update(hashInput(e), 'utf8').digest('hex');
}
