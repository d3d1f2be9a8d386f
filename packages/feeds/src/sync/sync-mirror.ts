/** `--mirror DIR`: apply DIR/<source>/… through the import path, per endpoint. */
import { copyFileSync, linkSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PatchloopError, type FeedSource } from '@patchloop/core';
import { importFeed } from '../import/import.js';
import { isolate, unchanged, type Outcome, type SyncOptions } from './context.js';
import { checkEcosystem } from './sync-osv.js';
export async function syncMirror(
  source: FeedSource,
  options: SyncOptions,
  tmp: string,
  keep: ((id: string) => boolean) | undefined,
): Promise<Outcome[]> {
  const dir = join(options.mirror as string, source);
  const run = (label: string, path: string) =>
    isolate(label, async () => {
      const s = await importFeed(source, path, options.sink, {
        onProgress: options.onProgress,
        maxFileBytes: options.maxFileBytes,
        ...(options.chunk ? { chunk: options.chunk } : {}),
        ...(keep ? { keep } : {}),
        releases: options.releases,
      });
      if (s.exitCode === 1) {
        const why = s.errors[0];
        throw new PatchloopError(
          why?.code ?? 'PL_FEED_NOTHING_USABLE',
          `${label}: ${why?.reason ?? 'nothing usable'}`,
        );
      }
      return { report: { endpoint: label, result: 'applied' }, summaries: [s], notes: [] };
    });
  if (source !== 'osv') return run(dir, dir);
  // OSV: each ecosystem on its own (all.zip, then any newer <ID>.json beside
  // it), and Canonical's osv-all.tar.xz when present.
  try {
    statSync(dir);
  } catch {
    return run(dir, dir);
  }
  const out: Outcome[] = [];
  const tarXz = join(dir, 'osv-all.tar.xz');
  const has = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (has(tarXz)) out.push(...(await run('osv-all.tar.xz', tarXz)));
  // Records or archives directly in osv/ (an older mirror layout) are one more endpoint.
  const top = readdirSync(dir).filter((f) => /\.(json|zip)$/i.test(f) && has(join(dir, f)));
  if (top.length > 0) out.push(...(await run('osv', looseCopy(dir, top, join(tmp, '_top')))));
  const ecosystems = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const e of ecosystems) {
    const ecoDir = join(dir, e.name);
    if (e.name.includes(':')) {
      out.push(...(await isolate(e.name, async () => (checkEcosystem(e.name), unchanged(e.name)))));
      continue;
    }
    const zip = join(ecoDir, 'all.zip');
    if (has(zip)) out.push(...(await run(e.name, zip)));
    const loose = readdirSync(ecoDir).filter((f) => /\.json$/i.test(f));
    if (loose.length > 0 || !has(zip)) {
      // The loose records are newer than all.zip: apply them after it, on their own.
      out.push(
        ...(await (has(zip)
          ? run(`${e.name} records`, looseCopy(ecoDir, loose, join(tmp, e.name)))
          : run(e.name, ecoDir))),
      );
    }
  }
  // An empty folder: the import path reports that nothing usable was there.
  return out.length > 0 ? out : run(dir, dir);
}

/** A directory holding only the loose records of an ecosystem folder (hard links, or copies). */
function looseCopy(ecoDir: string, files: string[], dest: string): string {
  mkdirSync(dest, { recursive: true });
  for (const f of files) {
    try {
      linkSync(join(ecoDir, f), join(dest, f));
    } catch {
      copyFileSync(join(ecoDir, f), join(dest, f));
    }
  }
  return dest;
}
