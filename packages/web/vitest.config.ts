import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

// Component tests in jsdom (src/**/*.test.tsx); the browser tests (packages/cli/test/console.e2e.test.ts) drive
// Debian's Chromium against a real server and lab.
export default defineProject({
  plugins: [react()],
  test: {
    name: 'web',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
    setupFiles: ['./src/test-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
