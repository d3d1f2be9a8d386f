import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrls } from './redact.js';

describe('redactUrl', () => {
  it('masks passwords in userinfo and in query parameters', () => {
    expect(redactUrl('postgres://u:s3cret@db:5432/pl')).toBe('postgres://u:***@db:5432/pl');
    expect(redactUrl('postgres://u@127.0.0.1:1/db?password=s3cret&sslmode=require')).toBe(
      'postgres://u@127.0.0.1:1/db?password=***&sslmode=require',
    );
    expect(redactUrl('https://user:token@mirror.example/kev.json?token=abc')).toBe(
      'https://user:***@mirror.example/kev.json?token=***',
    );
    expect(redactUrl('https://example.org/feed.json')).toBe('https://example.org/feed.json');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
  });

  it('masks URLs inside messages and leaves other text alone', () => {
    expect(redactUrls('cannot open postgres://u:pw@h/db: refused')).toBe(
      'cannot open postgres://u:***@h/db: refused',
    );
    expect(redactUrls('no url here')).toBe('no url here');
  });
});
