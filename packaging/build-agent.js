#!/usr/bin/env node
// Builds the self-contained Patchloop agent that machines other than the server install:
//
//   patchloop-agent-linux-<arch>.tar.gz   one directory, patchloop-agent/: the `patchloop agent`
//                                         command bundled into one JavaScript file (rolldown), the
//                                         Node runtime that runs this script (copied), a start
//                                         script, the systemd unit and the configuration template
//   patchloop-agent_<v>_<arch>.deb        the same files, by dpkg-deb (when dpkg-deb is installed)
//   patchloop-agent-<v>-1.<arch>.rpm      the same files, by rpmbuild (when rpmbuild is installed)
//
// each with a `.sha256` beside it, in packaging/dist/ (`--out DIR`). The server serves them at
// /downloads/ and its /install.sh installs the tarball. Run after `tsc -b` (`npm run build:agent`).
// `--no-packages` builds the tarball only.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'rolldown';

const HERE = import.meta.dirname;
const REPO = resolve(HERE, '..');
const ENTRY = join(REPO, 'packages/cli/dist/agent-bin.js');
const NAME = 'patchloop-agent';
const PREFIX = '/opt/patchloop-agent';
/** Node's own architecture names → the installer's, Debian's and RPM's. */
const ARCH = {
  x64: { deb: 'amd64', rpm: 'x86_64' },
  arm64: { deb: 'arm64', rpm: 'aarch64' },
};

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(HERE, 'dist') },
    'no-packages': { type: 'boolean', default: false },
  },
});

function log(line) {
  process.stderr.write(`build-agent: ${line}\n`);
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

function run(cmd, argv, opts = {}) {
  return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Writes FILE.sha256 in sha256sum's format (the file's base name). */
function writeChecksum(file) {
  const name = file.slice(file.lastIndexOf('/') + 1);
  writeFileSync(`${file}.sha256`, `${sha256(file)}  ${name}\n`);
}

/** The Node runtime's licence, from the usual places of official and Debian/NodeSource builds. */
function nodeLicense() {
  const prefix = resolve(dirname(process.execPath), '..');
  return [
    join(prefix, 'share/doc/node/LICENSE'),
    join(prefix, 'LICENSE'),
    '/usr/share/doc/nodejs/LICENSE',
    '/usr/share/doc/nodejs/copyright',
  ].find((f) => existsSync(f));
}

/** The agent's files as installed under PREFIX, staged in `dir`. */
async function stageAgent(dir, version) {
  mkdirSync(dir, { recursive: true });
  await build({
    input: ENTRY,
    platform: 'node',
    logLevel: 'warn',
    // The agent reads its version from package.json; the bundle has none beside it (agent/src/version.ts).
    transform: { define: { PATCHLOOP_BUNDLED_VERSION: JSON.stringify(version) } },
    output: {
      file: join(dir, `${NAME}.mjs`),
      format: 'esm',
      minify: true,
      codeSplitting: false,
      banner: `// Patchloop agent ${version}: the patchloop agent command and its dependencies, bundled.`,
    },
  });
  copyFileSync(process.execPath, join(dir, 'node'));
  chmodSync(join(dir, 'node'), 0o755);
  // The command: the bundle on the runtime beside it, wherever the directory was put.
  writeFileSync(
    join(dir, NAME),
    [
      '#!/bin/sh',
      '# The Patchloop agent: its bundle run by the Node runtime installed beside it.',
      'here=$(dirname "$(readlink -f "$0")")',
      'exec "$here/node" "$here/patchloop-agent.mjs" "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  copyFileSync(join(HERE, `${NAME}.service`), join(dir, `${NAME}.service`));
  copyFileSync(join(HERE, `${NAME}.env`), join(dir, `${NAME}.env`));
  const license = nodeLicense();
  if (license) copyFileSync(license, join(dir, 'NODE-LICENSE'));
  else log(`warning: no licence file found for ${process.execPath}; NODE-LICENSE not included`);
  writeFileSync(join(dir, 'VERSION'), `${version}\nnode ${process.version}\n`);
}

function tarball(stage, out, arch) {
  const file = join(out, `${NAME}-linux-${arch}.tar.gz`);
  run('tar', [
    '-czf',
    file,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--sort=name',
    '-C',
    dirname(stage),
    NAME,
  ]);
  return file;
}

/** The file tree both packages install: PREFIX, the command in /usr/bin, the unit, the config. */
function packageTree(root, stage, unitDir) {
  const opt = join(root, PREFIX.slice(1));
  mkdirSync(dirname(opt), { recursive: true });
  run('cp', ['-a', stage, opt]);
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  symlinkSync(`${PREFIX}/${NAME}`, join(root, 'usr/bin', NAME));
  mkdirSync(join(root, unitDir.slice(1)), { recursive: true });
  copyFileSync(join(HERE, `${NAME}.service`), join(root, unitDir.slice(1), `${NAME}.service`));
  mkdirSync(join(root, 'etc'), { recursive: true });
  copyFileSync(join(HERE, `${NAME}.env`), join(root, 'etc', `${NAME}.env`));
  chmodSync(join(root, 'etc', `${NAME}.env`), 0o600);
  mkdirSync(join(root, 'var/lib'), { recursive: true });
  mkdirSync(join(root, 'var/lib', NAME), { mode: 0o700 });
}

function installedKiB(dir) {
  return Math.ceil(Number(run('du', ['-sk', dir]).split('\t')[0]));
}

function deb(work, stage, out, version, arch) {
  const root = join(work, 'deb');
  packageTree(root, stage, '/lib/systemd/system');
  const control = join(root, 'DEBIAN');
  mkdirSync(control);
  writeFileSync(
    join(control, 'control'),
    [
      `Package: ${NAME}`,
      `Version: ${version}`,
      `Architecture: ${ARCH[arch].deb}`,
      'Maintainer: Patchloop <patchloop@localhost>',
      'Section: admin',
      'Priority: optional',
      `Installed-Size: ${installedKiB(root)}`,
      'Depends: libc6 (>= 2.28), libstdc++6',
      'Description: Patchloop agent (inventory, check-ins and patch jobs)',
      ' The Patchloop agent with its own Node.js runtime: it reports this machine',
      ' to a Patchloop server and runs the deployments the server plans for it.',
      ' Configure /etc/patchloop-agent.env, then: systemctl enable --now patchloop-agent',
      '',
    ].join('\n'),
  );
  writeFileSync(join(control, 'conffiles'), `/etc/${NAME}.env\n`);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    copyFileSync(join(HERE, 'deb', script), join(control, script));
    chmodSync(join(control, script), 0o755);
  }
  const file = join(out, `${NAME}_${version}_${ARCH[arch].deb}.deb`);
  // gzip: every dpkg reads it, and it builds in seconds where xz takes a minute for the runtime.
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, file]);
  return file;
}

function rpm(work, stage, out, version, arch) {
  const top = join(work, 'rpm');
  const tree = join(work, 'rpm-tree');
  packageTree(tree, stage, '/usr/lib/systemd/system');
  for (const d of ['BUILD', 'RPMS', 'SOURCES', 'SPECS', 'SRPMS', 'BUILDROOT']) {
    mkdirSync(join(top, d), { recursive: true });
  }
  run('rpmbuild', [
    '-bb',
    '--quiet',
    '--nodeps',
    '--target',
    ARCH[arch].rpm,
    '--define',
    `_topdir ${top}`,
    '--define',
    `_rpmdir ${join(top, 'RPMS')}`,
    '--define',
    `pl_version ${version}`,
    '--define',
    `pl_tree ${tree}`,
    // gzip payload: readable by every rpm still in use (zstd needs rpm >= 4.14).
    '--define',
    '_binary_payload w6.gzdio',
    join(HERE, 'rpm', `${NAME}.spec`),
  ]);
  const built = join(top, 'RPMS', ARCH[arch].rpm);
  const name = readdirSync(built).find((f) => f.endsWith('.rpm'));
  if (!name) throw new Error(`rpmbuild wrote no package in ${built}`);
  const file = join(out, name);
  copyFileSync(join(built, name), file);
  return file;
}

async function main() {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`tsc -b\` first (npm run build:agent)`);
  const arch = process.arch;
  if (!(arch in ARCH)) throw new Error(`cannot package the agent for ${arch} (only ${Object.keys(ARCH)})`);
  const version = JSON.parse(readFileSync(join(REPO, 'packages/cli/package.json'), 'utf8')).version;
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'patchloop-agent-build-'));
  try {
    const stage = join(work, 'tar', NAME);
    await stageAgent(stage, version);
    const built = [tarball(stage, out, arch)];
    if (!args['no-packages']) {
      if (which('dpkg-deb')) built.push(deb(work, stage, out, version, arch));
      else log('dpkg-deb not installed: no .deb (apt-get install dpkg)');
      if (which('rpmbuild')) built.push(rpm(work, stage, out, version, arch));
      else log('rpmbuild not installed: no .rpm (apt-get install rpm)');
    }
    for (const file of built) {
      writeChecksum(file);
      log(`${file} (${(statSync(file).size / 1048576).toFixed(1)} MiB)`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
