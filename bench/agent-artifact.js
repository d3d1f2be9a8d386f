// The installable agent: artifact sizes and start-up time of the ways to ship `patchloop agent`
// to a machine without the repository. Builds packaging/dist (packaging/build-agent.js) unless it
// is there, then times N runs of `--version` and `--help` for:
//   - the shipped tarball: the minified ESM bundle on a copy of the running Node (sh start script);
//   - the same bundle unminified;
//   - a Node single-executable application (SEA) of the bundle as CommonJS with V8's code cache,
//     injected with postject (fetched by npx from the npm registry; skipped when that fails);
//   - `patchloop agent` from a clone (bin/patchloop.js: the whole CLI, for comparison).
// `node bench/agent-artifact.js [--runs N] [--write]` (--write: its section of BENCHMARKS.md).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'rolldown';
import { writeSection } from './standalone.js';
import { describeMachine } from './machine.js';

const HEADING = '## Installable agent: size and start-up';
const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'packaging/dist');
const ENTRY = join(ROOT, 'packages/cli/dist/agent-bin.js');
const log = (s) => process.stderr.write(`agent-artifact: ${s}\n`);
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

function runOnce(cmd, argv) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/**
 * Median and p95 wall time (ms) of each command, after one warm-up run each. The commands take
 * turns, so load from elsewhere on the machine falls on all of them alike.
 */
function timeAll(commands, runs) {
  for (const c of commands) runOnce(c.cmd, c.argv);
  const ms = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => ms[j].push(runOnce(c.cmd, c.argv)));
  return ms.map((list) => {
    list.sort((a, b) => a - b);
    return { median: list[Math.floor(runs / 2)], p95: list[Math.min(runs - 1, Math.ceil(runs * 0.95) - 1)] };
  });
}

async function bundle(file, format, minify) {
  await build({
    input: ENTRY,
    platform: 'node',
    logLevel: 'warn',
    output: { file, format, minify, codeSplitting: false },
  });
}

/** A SEA of the CommonJS bundle, or null when postject cannot be had. */
function sea(work, cjs) {
  const config = join(work, 'sea.json');
  const blob = join(work, 'sea.blob');
  writeFileSync(
    config,
    JSON.stringify({ main: cjs, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'ignore' });
  const exe = join(work, 'patchloop-agent-sea');
  copyFileSync(process.execPath, exe);
  const r = spawnSync(
    'npx',
    [
      '--yes',
      'postject@1.0.0-alpha.6',
      exe,
      'NODE_SEA_BLOB',
      blob,
      '--sentinel-fuse',
      'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
    ],
    { stdio: 'ignore', cwd: work },
  );
  return r.status === 0 ? exe : null;
}

export async function runAgentArtifactBench(runs) {
  const tar = join(DIST, 'patchloop-agent-linux-x64.tar.gz');
  if (!existsSync(tar)) {
    log('building packaging/dist');
    execFileSync(process.execPath, [join(ROOT, 'packaging/build-agent.js')], { stdio: 'inherit' });
  }
  const work = mkdtempSync(join(tmpdir(), 'patchloop-agent-bench-'));
  try {
    execFileSync('tar', ['-xzf', tar, '-C', work]);
    const shipped = join(work, 'patchloop-agent/patchloop-agent');
    const plain = join(work, 'plain.mjs');
    const cjs = join(work, 'agent.cjs');
    await bundle(plain, 'esm', false);
    await bundle(cjs, 'cjs', true);
    const exe = sea(work, cjs);
    if (exe === null) log('postject not available: no SEA measured');
    const sizes = {
      tarball: statSync(tar).size,
      deb: statSync(join(DIST, 'patchloop-agent_0.1.0_amd64.deb'), { throwIfNoEntry: false })?.size ?? null,
      rpm:
        statSync(join(DIST, 'patchloop-agent-0.1.0-1.x86_64.rpm'), { throwIfNoEntry: false })?.size ?? null,
      installed: Number(
        execFileSync('du', ['-sb', join(work, 'patchloop-agent')], { encoding: 'utf8' }).split('\t')[0],
      ),
      bundle: statSync(join(work, 'patchloop-agent/patchloop-agent.mjs')).size,
      plain: statSync(plain).size,
      sea: exe ? statSync(exe).size : null,
      seaGz: exe ? gzipSync(readFileSync(exe)).length : null,
    };
    const runtime = join(work, 'patchloop-agent/node');
    const options = [
      { name: 'shipped: minified ESM bundle + Node runtime, via the sh start script', cmd: shipped, pre: [] },
      {
        name: 'the same without the start script (node patchloop-agent.mjs)',
        cmd: runtime,
        pre: [join(work, 'patchloop-agent/patchloop-agent.mjs')],
      },
      { name: 'unminified ESM bundle + Node runtime', cmd: runtime, pre: [plain] },
      ...(exe ? [{ name: 'Node SEA (CommonJS bundle, code cache)', cmd: exe, pre: [] }] : []),
      {
        name: '`patchloop agent` from a clone (whole CLI)',
        cmd: process.execPath,
        pre: [join(ROOT, 'packages/cli/bin/patchloop.js'), 'agent'],
      },
    ];
    const timed = (flag) =>
      timeAll(
        options.map((o) => ({ cmd: o.cmd, argv: [...o.pre, flag] })),
        runs,
      );
    const version = timed('--version');
    const help = timed('--help');
    const results = options.map((o, i) => ({ name: o.name, version: version[i], help: help[i] }));
    return {
      machine: describeMachine(),
      runs,
      sizes,
      options: results,
      date: new Date().toISOString().slice(0, 10),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function conclusion(r) {
  const shipped = r.options[0].version.median;
  const seaRun = r.options.find((o) => o.name.startsWith('Node SEA'));
  const share = ((r.sizes.installed - r.sizes.bundle) / r.sizes.installed) * 100;
  const sea = seaRun
    ? `The SEA starts ${(shipped - seaRun.version.median).toFixed(0)} ms ${shipped >= seaRun.version.median ? 'sooner' : 'later'} (median, V8's code cache), once per agent start; it needs postject and a CommonJS bundle and is experimental in Node 20.`
    : 'No SEA was measured.';
  return `The runtime is ${share.toFixed(1)} % of what is installed, so the bundle's form hardly changes the download. ${sea} The shipped form is the bundle beside a copy of the Node runtime: plain files, the same runtime the project tests on.`;
}

export function agentArtifactMarkdown(r) {
  const m = r.machine;
  const f = (t) => `${t.median.toFixed(0)} / ${t.p95.toFixed(0)}`;
  return `${HEADING}

\`node bench/agent-artifact.js --write\` on ${r.date}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}.
What a machine downloads to run the agent without the repository (packaging/build-agent.js), and
how long the command takes to start: ${r.runs} runs each after one warm-up, wall time of the whole
process, median / p95 in ms.

| artifact | size |
| --- | ---: |
| \`patchloop-agent-linux-x64.tar.gz\` (what /install.sh downloads) | ${mib(r.sizes.tarball)} |
| \`.deb\` (gzip) / \`.rpm\` (gzip payload) | ${r.sizes.deb ? mib(r.sizes.deb) : '–'} / ${r.sizes.rpm ? mib(r.sizes.rpm) : '–'} |
| installed in /opt/patchloop-agent | ${mib(r.sizes.installed)} |
| the bundle alone, minified / unminified | ${(r.sizes.bundle / 1024).toFixed(0)} KiB / ${(r.sizes.plain / 1024).toFixed(0)} KiB |
| Node SEA executable (gzip) | ${r.sizes.sea ? `${mib(r.sizes.sea)} (${mib(r.sizes.seaGz)})` : 'not built'} |

| option | \`--version\` ms | \`--help\` ms |
| --- | ---: | ---: |
${r.options.map((o) => `| ${o.name} | ${f(o.version)} | ${f(o.help)} |`).join('\n')}

${conclusion(r)}
`;
}

/** For bench/run.js: runs the benchmark and writes its section into BENCHMARKS.md. */
export async function recordAgentArtifact(runs = 20) {
  writeSection(ROOT, agentArtifactMarkdown(await runAgentArtifactBench(runs)), HEADING);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '20' }, write: { type: 'boolean', default: false } },
  });
  const r = await runAgentArtifactBench(Number(values.runs));
  const md = agentArtifactMarkdown(r);
  process.stdout.write(md);
  if (values.write) {
    writeSection(ROOT, md, HEADING);
    log('wrote its section of BENCHMARKS.md');
  }
}
