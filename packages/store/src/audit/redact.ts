/**
 * Secrets never enter the audit log: before an event is hashed and stored,
 * every value under a key named like a secret (password, passphrase, token,
 * secret, credential, API key, private key, authorization) becomes
 * "[redacted]" (null stays null: "no password" is not a secret), at any depth,
 * and a URL with credentials inside any string is shown as core's redactUrl
 * shows it.
 */
import { redactUrl } from '@patchloop/core';

export const REDACTED = '[redacted]';

const SECRET_KEY =
  /password|passwd|passphrase|token|secret|credential|api[-_]?key|private[-_]?key|authorization/i;
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Masks credentials of the URLs in a text; URLs without any are left exactly as written. */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (m) => {
    let normalized: string;
    try {
      normalized = new URL(m).toString();
    } catch {
      return m;
    }
    const redacted = redactUrl(m);
    return redacted === normalized ? m : redacted;
  });
}

/** A redacted copy of JSON data (see the comment at the top). */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(redactSecrets);
  // fromEntries defines own properties: a "__proto__" key stays a key.
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      isSecretKey(k) && v !== null ? REDACTED : redactSecrets(v),
    ]),
  );
}
