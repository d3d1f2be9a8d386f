/** Test support: the captured outputs beside each backend (`<backend>/testdata/<case>.<stream>.txt`). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function captured(backend: string, name: string): { stdout: string; stderr: string } {
  const read = (stream: string) => {
    const f = join(here, backend, 'testdata', `${name}.${stream}.txt`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  return { stdout: read('stdout'), stderr: read('stderr') };
}
