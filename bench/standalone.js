// What every benchmark does when run on its own (`node bench/<name>.js`) rather than from
// bench/run.js: write its section of BENCHMARKS.md, keep its raw results.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const benchRoot = resolve(import.meta.dirname, '..');
/** The shared public fixtures (../shared/fixtures, or PATCHLOOP_FIXTURES). */
export const benchFixtures = process.env.PATCHLOOP_FIXTURES ?? join(benchRoot, '..', 'shared', 'fixtures');

/** True in the module node was started with (`import.meta.url` of the caller). */
export function isMain(url) {
  return url === pathToFileURL(process.argv[1] ?? '').href;
}

/** Replaces (or appends) a benchmark's section of BENCHMARKS.md. */
export function writeSection(root, md, heading) {
  const file = join(root, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(`${heading}\n`);
  let out;
  if (start < 0) out = `${text.trimEnd()}\n\n${md}`;
  else {
    const rest = text.slice(start + heading.length);
    const end = rest.search(/\n## /);
    out = text.slice(0, start) + md + (end < 0 ? '' : `\n${rest.slice(end + 1)}`);
  }
  writeFileSync(file, out);
}

/**
 * A benchmark run on its own: keeps the raw result as JSON in the temp directory (`raw`, a file
 * name), then writes its Markdown section into BENCHMARKS.md, or prints it when `write` is false.
 */
export async function standalone({ run, markdown, heading, write, raw, log = console.log }) {
  const result = await run();
  if (raw) {
    const file = join(tmpdir(), raw);
    writeFileSync(file, JSON.stringify(result, null, 1));
    log(`raw results: ${file}`);
  }
  const md = markdown(result);
  if (!write) console.log(md);
  else {
    writeSection(benchRoot, md, heading);
    log('wrote its section of BENCHMARKS.md');
  }
  return result;
}
