import { packageProject } from '../../vitest.shared.js';

// The pure parsers' tests run in `npm test`'s fast first stage; the import,
// download and sync tests (files, processes, HTTP) after it.
export default packageProject('feeds', {
  unit: ['src/*/parse.test.ts', 'src/osv/*.test.ts', 'src/record/*.test.ts', 'src/sync/settings.test.ts'],
});
