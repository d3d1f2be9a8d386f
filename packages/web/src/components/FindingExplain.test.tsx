// @vitest-environment jsdom
/** A finding's advisory link: only http: and https: URLs from feeds become links. */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { finding as aFinding } from '../test-support/fixtures.js';
import { FindingExplain } from './FindingExplain.js';

const finding = (url: string | null) => aFinding({ advisory: { ...aFinding().advisory, url } });

afterEach(cleanup);

describe('FindingExplain', () => {
  it('links an http(s) advisory URL', () => {
    render(<FindingExplain f={finding('https://security-tracker.debian.org/tracker/DSA-5343-1')} />);
    expect(screen.getByRole('link', { name: 'advisory' })).toHaveAttribute(
      'href',
      'https://security-tracker.debian.org/tracker/DSA-5343-1',
    );
  });

  it('does not link javascript:, data: or other schemes, in any case', () => {
    for (const url of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,<script>1</script>',
      'ftp://x/y',
      'not a url',
    ]) {
      render(<FindingExplain f={finding(url)} />);
      expect([url, screen.queryByRole('link', { name: 'advisory' })]).toEqual([url, null]);
      cleanup();
    }
  });
});
