/**
 * Debian packages for the lab, made with `dpkg-deb --build --root-owner-group`: small, but real
 * packages whose installation dpkg records like any other. Every package installs
 * /usr/share/<name>/VERSION (its version), so each one has a file in dpkg's database.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { runOk } from './exec.js';

export interface DebSpec {
  readonly name: string;
  readonly version: string;
  readonly arch?: 'all';
  /** The Depends field as written (`libc6 (>= 2.36), pl-app`). */
  readonly depends?: string;
  /** The postinst script's body (shell, run by `sh -e`), or a whole script starting with `#!`. */
  readonly postinst?: string;
  /** More files to install: absolute path in the root → content. */
  readonly files?: Readonly<Record<string, string>>;
  readonly description?: string;
}

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^(\d+:)?[0-9][A-Za-z0-9.+~-]*$/;

/** The file name dpkg-scanpackages and apt expect (`name_version_arch.deb`, without the epoch). */
export function debFileName(spec: DebSpec): string {
  return `${spec.name}_${spec.version.replace(/^\d+:/, '')}_${spec.arch ?? 'all'}.deb`;
}

let defaultOut: Promise<string> | null = null;

/** Builds one package into `outDir` (default: a temp directory of this process); resolves with the .deb. */
export async function buildDeb(spec: DebSpec, outDir?: string): Promise<string> {
  if (!NAME.test(spec.name)) throw new Error(`invalid package name ${JSON.stringify(spec.name)}`);
  if (!VERSION.test(spec.version)) throw new Error(`invalid version ${JSON.stringify(spec.version)}`);
  const out = outDir ?? (await (defaultOut ??= mkdtemp(join(tmpdir(), 'patchloop-lab-debs-'))));
  await mkdir(out, { recursive: true });
  const stage = await mkdtemp(join(tmpdir(), `patchloop-lab-${spec.name}-`));
  try {
    await chmod(stage, 0o755);
    const files: Record<string, string> = {
      [`/usr/share/${spec.name}/VERSION`]: `${spec.version}\n`,
      ...spec.files,
    };
    for (const [path, content] of Object.entries(files)) {
      const rel = posix.normalize(path).replace(/^\/+/, '');
      if (rel === '' || rel.startsWith('..') || rel.startsWith('DEBIAN')) {
        throw new Error(`${spec.name}: invalid file path ${JSON.stringify(path)}`);
      }
      await mkdir(dirname(join(stage, rel)), { recursive: true, mode: 0o755 });
      await writeFile(join(stage, rel), content, { mode: 0o644 });
    }
    const control = join(stage, 'DEBIAN');
    await mkdir(control, { mode: 0o755 });
    await writeFile(join(control, 'control'), controlText(spec), { mode: 0o644 });
    if (spec.postinst !== undefined) {
      const script = spec.postinst.startsWith('#!') ? spec.postinst : `#!/bin/sh\nset -e\n${spec.postinst}\n`;
      await writeFile(join(control, 'postinst'), script, { mode: 0o755 });
    }
    const deb = join(out, debFileName(spec));
    await runOk('dpkg-deb', ['--build', '--root-owner-group', stage, deb]);
    return deb;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

function controlText(spec: DebSpec): string {
  return [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    `Architecture: ${spec.arch ?? 'all'}`,
    'Maintainer: Patchloop lab <lab@patchloop.invalid>',
    'Section: misc',
    'Priority: optional',
    ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
    `Description: ${spec.description ?? `Patchloop lab package ${spec.name}`}`,
    ' A package made by the Patchloop test lab.',
    '',
  ].join('\n');
}

/** What Debian's notify-reboot-required does (update-notifier-common), from a postinst. */
const NOTIFY_REBOOT_REQUIRED = [
  'if [ "$1" = configure ]; then',
  '  echo "*** System restart required ***" > /var/run/reboot-required',
  '  echo pl-kernel-ish >> /var/run/reboot-required.pkgs',
  'fi',
].join('\n');

/**
 * The lab's packages:
 * - pl-app 1.0-1, 1.0-2: 1.0-2 fixes the lab advisory (DSA-9001-1, feed.ts);
 * - pl-broken 1.0-1, 1.0-2: 1.0-2's postinst exits 1 (dpkg leaves it half-configured);
 * - pl-kernel-ish 1.0-1, 1.0-2: 1.0-2's postinst asks for a reboot (/var/run/reboot-required and
 *   /var/run/reboot-required.pkgs, as Debian's kernel packages do);
 * - pl-extra 1.0-1 only (for "that version is not in the repository").
 */
export const LAB_PACKAGES: readonly DebSpec[] = [
  { name: 'pl-app', version: '1.0-1', files: { '/etc/pl-app.conf': 'level = 1\n' } },
  { name: 'pl-app', version: '1.0-2', files: { '/etc/pl-app.conf': 'level = 1\n' } },
  { name: 'pl-broken', version: '1.0-1' },
  {
    name: 'pl-broken',
    version: '1.0-2',
    postinst: 'echo "pl-broken: this postinst fails on purpose" >&2\nexit 1',
  },
  { name: 'pl-kernel-ish', version: '1.0-1' },
  { name: 'pl-kernel-ish', version: '1.0-2', postinst: NOTIFY_REBOOT_REQUIRED },
  { name: 'pl-extra', version: '1.0-1' },
];

/** Builds LAB_PACKAGES (or the given ones) into `outDir`; resolves with the .deb paths. */
export async function buildLabPackages(
  outDir?: string,
  specs: readonly DebSpec[] = LAB_PACKAGES,
): Promise<string[]> {
  const debs: string[] = [];
  for (const spec of specs) debs.push(await buildDeb(spec, outDir));
  return debs;
}
