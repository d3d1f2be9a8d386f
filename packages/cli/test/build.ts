import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * vitest globalSetup: compile the workspace, bundle `patchloop scan` and build the console, so the
 * e2e tests run the real binary as `npm run build` leaves it.
 */
export default function setup(): void {
  const root = resolve(import.meta.dirname, '../../..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [resolve(root, 'packages/cli/scripts/build-scan.js')], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(
    process.execPath,
    [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: resolve(root, 'packages/web'),
      stdio: 'inherit',
    },
  );
}
