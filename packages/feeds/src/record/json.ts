/**
 * JSON as the feed parsers read it: the object test every hand-written check
 * starts from, the byte order mark some publishers write, and the report for
 * text that JSON.parse rejects.
 *
 * Where JSON.parse failed is given as a 1-based line number. V8 (Node 20) says
 * "… in JSON at position N" for most faults and "Unexpected end of JSON input"
 * at the end, but for an unexpected token only quotes the text around it: the
 * whole text when it is short (under 21 characters), else up to 10 characters
 * either side, with "..." where it cut. The offset is recovered from that
 * quote; null when it cannot be (the report then names no line).
 */
import type { FeedRecordError } from '@patchloop/core';

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text without a leading byte order mark. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const CONTEXT = 10;
const UNEXPECTED_TOKEN = /^Unexpected token '([\s\S]+?)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/;

/** The offset in `text` that a JSON.parse error message points at, or null. */
export function jsonErrorOffset(text: string, message: string): number | null {
  const at = /at position (\d+)/.exec(message);
  if (at !== null) return Number(at[1]);
  if (message.startsWith('Unexpected end of JSON input')) return text.length;
  const m = UNEXPECTED_TOKEN.exec(message);
  if (m === null) return null;
  const [, token, cutBefore, quoted, cutAfter] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
    string | undefined,
  ];
  const start = text.indexOf(quoted);
  if (start < 0) return null;
  if (cutBefore !== undefined) return start + CONTEXT;
  if (cutAfter !== undefined) return start + quoted.length - CONTEXT;
  const i = quoted.indexOf(token);
  return i < 0 ? null : start + i;
}

/** The 1-based line of a JSON.parse error in `text`, or null. */
export function jsonErrorLine(text: string, error: unknown): number | null {
  const offset = jsonErrorOffset(text, errorMessage(error));
  if (offset === null) return null;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The PL_FEED_JSON_INVALID report for text JSON.parse rejected: by the record
 * id when the caller could see one, else by the line of the fault ("line 3"),
 * else "#0". It is never a warning: nothing of that text is kept.
 */
export function jsonSyntaxError(
  file: string,
  error: unknown,
  line: number | null,
  id: string | undefined,
): FeedRecordError {
  const message = errorMessage(error);
  return {
    file,
    record: id ?? (line === null ? '#0' : `line ${line}`),
    code: 'PL_FEED_JSON_INVALID',
    reason: line === null ? `invalid JSON: ${message}` : `invalid JSON at line ${line}: ${message}`,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
