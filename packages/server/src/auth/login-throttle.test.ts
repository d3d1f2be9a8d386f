import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

const limits = { perAddress: 3, perUser: 5, windowMs: 60_000 };

describe('LoginThrottle', () => {
  it('refuses a user name from an address after its failures, until the window ends', () => {
    const t = new LoginThrottle(limits);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfter('Alice', '10.0.0.1', 1000 + i)).toBeNull();
      t.failed('Alice', '10.0.0.1', 1000 + i);
    }
    // Case does not help; the wait is counted from the first failure.
    expect(t.retryAfter('alice', '10.0.0.1', 2000)).toBe(59);
    expect(t.retryAfter('alice', '10.0.0.2', 2000)).toBeNull();
    expect(t.retryAfter('bob', '10.0.0.1', 2000)).toBeNull();
    expect(t.retryAfter('alice', '10.0.0.1', 61_000)).toBeNull();
  });

  it('refuses a user name from every address after its total failures', () => {
    const t = new LoginThrottle(limits);
    for (let i = 0; i < 5; i++) t.failed('alice', `10.0.0.${i}`, 1000);
    expect(t.retryAfter('alice', '10.9.9.9', 1000)).toBe(60);
  });

  it('a right password clears the count for that address only', () => {
    const t = new LoginThrottle(limits);
    t.failed('alice', '10.0.0.1', 0);
    t.failed('alice', '10.0.0.1', 0);
    t.succeeded('alice', '10.0.0.1');
    t.failed('alice', '10.0.0.1', 0);
    t.failed('alice', '10.0.0.1', 0);
    expect(t.retryAfter('alice', '10.0.0.1', 0)).toBeNull();
    t.failed('alice', '10.0.0.1', 0);
    expect(t.retryAfter('alice', '10.0.0.1', 0)).toBe(60);
  });
});
