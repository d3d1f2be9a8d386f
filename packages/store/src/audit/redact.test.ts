import { describe, expect, it } from 'vitest';
import { canonicalJson, toJsonData } from './hash.js';
import { REDACTED, isSecretKey, redactSecrets, redactText } from './redact.js';

describe('audit redaction', () => {
  it('knows secret key names in any case and spelling', () => {
    for (const k of [
      'password',
      'PASSWD',
      'passphrase',
      'token',
      'apiToken',
      'client_secret',
      'credentials',
    ]) {
      expect(isSecretKey(k)).toBe(true);
    }
    for (const k of ['api_key', 'apiKey', 'privateKey', 'Authorization']) expect(isSecretKey(k)).toBe(true);
    for (const k of ['name', 'passed', 'hostname', 'keyring', 'author']) expect(isSecretKey(k)).toBe(false);
  });

  it('replaces secrets at any depth and leaves everything else as it was', () => {
    const input = JSON.parse(
      '{"a":[{"token":"x"},"y"],"password":3,"secret":null,"own":{"__proto__":"kept"}}',
    );
    const out = redactSecrets(toJsonData(input)) as Record<string, unknown>;
    expect(canonicalJson(out)).toBe(
      `{"a":[{"token":"${REDACTED}"},"y"],"own":{"__proto__":"kept"},"password":"${REDACTED}","secret":null}`,
    );
    expect(Object.getPrototypeOf(out.own)).toBe(Object.prototype);
  });

  it('masks URL credentials inside text and keeps other URLs byte for byte', () => {
    expect(redactText('from https://u:pw@h.example/x and HTTPS://H.example/y?q=1')).toBe(
      'from https://u:***@h.example/x and HTTPS://H.example/y?q=1',
    );
    expect(redactText('https://h.example/f?token=abc')).toBe('https://h.example/f?token=***');
  });
});
