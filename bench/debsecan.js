// One host, one advisory set, two scanners: `patchloop scan` against Debian's
// own debsecan. Both get the DSA and DLA fixture lists and the Debian 10 image
// inventory; each run is timed from process start to exit.
//
// debsecan fetches `<source>/<suite>`: a zlib-compressed text file ("VERSION 1",
// then three sections ended by a blank line — vulnerability names,
// "package,vuln#,flags,unstable-version,other-fixed-versions" lines, source →
// binary packages). We write the fixture lists in that format and serve it on
// 127.0.0.1 from this process. Nothing is installed here: without debsecan
// (apt-get install -y debsecan) the section is skipped.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assessHost, enrichmentFrom, indexAdvisories, parseDpkgStatus, parseOsSpec } from '@patchloop/core';
import { IMPORTERS } from '@patchloop/feeds';
import { debsecanData, statusFromCsv } from './debsecan-data.js';
import { OPTION_LABELS, optionsMarkdown, scanOptionCommands } from './debsecan-options.js';
import { readFixtureFiles } from './fleet-data.js';
import { benchFixtures, benchRoot, isMain, standalone } from './standalone.js';

export { debsecanData, statusFromCsv };

const SUITE = 'buster';
const LISTS = [
  ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
  ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
];

const TIME = '/usr/bin/time'; // GNU time: the child's CPU time beside the wall-clock time, when installed
const CPU_LINE = /\n?PLCPU (\S+) (\S+)\n?$/;

function run(cmd, args) {
  const cpu = existsSync(TIME);
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const [c, a] = cpu ? [TIME, ['-f', 'PLCPU %U %S', cmd, ...args]] : [cmd, args];
    execFile(c, a, { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const m = CPU_LINE.exec(stderr);
      const cpuMs = m ? (Number(m[1]) + Number(m[2])) * 1000 : null;
      resolve({
        ms,
        cpuMs,
        code: error ? (error.code ?? 1) : 0,
        stdout,
        stderr: stderr.replace(CPU_LINE, ''),
      });
    });
  });
}

function findDebsecan() {
  try {
    execFileSync('debsecan', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** debsecan --format detail prints one block per (vulnerability, installed binary package). */
function countDetail(stdout) {
  return stdout.split('\n').filter((l) => l !== '' && l[0] !== ' ').length;
}

function stats(times, cpu) {
  const s = [...times].sort((a, b) => a - b);
  const cpuMs = cpu.includes(null) ? null : Math.round(cpu.reduce((a, b) => a + b, 0) / cpu.length);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  return {
    runs: s.length,
    meanMs: Math.round(mean),
    medianMs: Math.round(s[Math.floor(s.length / 2)]),
    minMs: Math.round(s[0]),
    maxMs: Math.round(s.at(-1)),
    sdMs: Math.round(sd),
    cpuMs,
  };
}

export async function runDebsecanBench(
  root,
  fixtures,
  { runs = Number(process.env.PATCHLOOP_BENCH_RUNS ?? 20) } = {},
) {
  if (!findDebsecan()) {
    const reason = 'debsecan is not installed (apt-get install -y debsecan)';
    console.log(`debsecan: skipped — ${reason}`);
    return { skipped: reason };
  }
  const debsecanVersion =
    /^ii\s+debsecan\s+(\S+)/m.exec(
      (() => {
        try {
          return execFileSync('dpkg', ['-l', 'debsecan'], { encoding: 'utf8' });
        } catch {
          return '';
        }
      })(),
    )?.[1] ?? 'unknown';
  const tmp = mkdtempSync(join(tmpdir(), 'pl-bench-debsecan-'));
  const cli = join(root, 'packages', 'cli', 'bin', 'patchloop.js');
  const dataDir = join(tmp, 'store');
  let server;
  try {
    // The same host for both.
    const csv = readFileSync(join(fixtures, 'inventories', 'normalized', 'debian-buster.csv'), 'utf8');
    const status = join(tmp, 'status');
    writeFileSync(status, statusFromCsv(csv));

    // The same advisories for both: Patchloop's store, and debsecan's file served locally.
    const advisories = [];
    for (const [source, rel] of LISTS) {
      // Exit 3: imported, some records skipped (the DSA list has one malformed record).
      const imp = spawnSync(
        process.execPath,
        [cli, 'feeds', 'import', source, join(fixtures, rel), '--data-dir', dataDir],
        { encoding: 'utf8' },
      );
      if (imp.status !== 0 && imp.status !== 3)
        throw new Error(`feeds import ${source} failed: ${imp.stderr}`);
      const files = await readFixtureFiles(join(fixtures, rel), IMPORTERS[source].accept, []);
      advisories.push(...(IMPORTERS[source].parse(files).batch?.records ?? []));
    }
    const data = debsecanData(advisories);

    // The assessment alone, in this process: the whole DSA/DLA index, the same status file.
    const inventory = {
      os: null,
      manager: 'dpkg',
      packages: parseDpkgStatus(readFileSync(status, 'utf8')),
      kernel: null,
    };
    const index = indexAdvisories(advisories);
    const input = {
      inventory,
      os: parseOsSpec('debian:10'),
      advisories: index,
      enrichment: enrichmentFrom({}),
      now: new Date(0),
    };
    let assessMs = Infinity;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      assessHost(input);
      assessMs = Math.min(assessMs, performance.now() - t);
    }
    const requests = [];
    server = createServer((req, res) => {
      requests.push(req.url);
      if (req.url === `/${SUITE}`) {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': data.body.length,
        });
        res.end(data.body);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${server.address().port}/`;

    const scanArgs = [
      '--dpkg-status',
      status,
      '--os',
      'debian:10',
      '--data-dir',
      dataDir,
      '--format',
      'json',
    ];
    const commands = {
      debsecan: [
        'debsecan',
        [
          '--suite',
          SUITE,
          '--source',
          url,
          '--status',
          status,
          '--format',
          'detail',
          '--config',
          join(tmp, 'no-config'), // not /etc/default/debsecan: only the options given here
          '--whitelist',
          join(tmp, 'no-whitelist'),
        ],
      ],
      // The shipped path: what `patchloop scan` runs (the bundle, when `npm run build` made it).
      patchloop: [process.execPath, [cli, 'scan', ...scanArgs]],
      // The other ways the scan can start, to show what each gives (debsecan-options.js).
      ...scanOptionCommands(root, tmp, scanArgs),
    };
    const results = {};
    const times = {};
    for (const [name, [cmd, args]] of Object.entries(commands)) {
      const first = await run(cmd, args); // warm-up (page cache), also the output we count
      if (first.code !== 0) throw new Error(`${name} failed (${first.code}): ${first.stderr.slice(0, 500)}`);
      results[name] = { first };
      times[name] = { wall: [], cpu: [] };
    }
    // Interleaved, so that the machine's load falls on every command alike.
    for (let i = 0; i < runs; i++) {
      for (const [name, [cmd, args]] of Object.entries(commands)) {
        const r = await run(cmd, args);
        if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr.slice(0, 500)}`);
        times[name].wall.push(r.ms);
        times[name].cpu.push(r.cpuMs);
      }
    }
    for (const name of Object.keys(commands)) {
      results[name] = { ...stats(times[name].wall, times[name].cpu), first: results[name].first };
    }
    // Every way of starting prints the same report (but for its time of scanning).
    const sameReport = (x) => x.replace(/"scannedAt": "[^"]*"/, '');
    for (const name of Object.keys(OPTION_LABELS).filter((k) => k !== 'nodeEmpty' && k in commands)) {
      if (sameReport(results[name].first.stdout) !== sameReport(results.patchloop.first.stdout))
        throw new Error(`${name}: the scan's output differs from \`patchloop scan\`'s`);
    }
    const bundle = join(root, 'packages', 'cli', 'dist', 'scan.bundle.cjs');
    const bundled = existsSync(bundle);
    const bundleKiB = bundled ? Math.round(statSync(bundle).size / 1024) : null;

    const report = JSON.parse(results.patchloop.first.stdout);
    const debsecanFindings = countDetail(results.debsecan.first.stdout);
    const pairs = (list) => new Set(list);
    const dPairs = pairs(
      results.debsecan.first.stdout
        .split('\n\n')
        .map((block) => {
          const bug = /^(\S+)/.exec(block)?.[1];
          const pkg = /installed: (\S+)/.exec(block)?.[1];
          return bug && pkg ? `${bug} ${pkg}` : null;
        })
        .filter(Boolean),
    );
    const pPairs = pairs(report.findings.map((f) => `${f.advisory.id} ${f.package}`));
    const onlyDebsecan = [...dPairs].filter((k) => !pPairs.has(k));
    const onlyPatchloop = [...pPairs].filter((k) => !dPairs.has(k));
    const out = {
      debsecanVersion,
      packages: report.summary.packages,
      data: { vulnerabilities: data.vulnerabilities, entries: data.entries, bytes: data.body.length },
      fetched: requests.length,
      runs,
      debsecan: {
        ...results.debsecan,
        first: undefined,
        findings: debsecanFindings,
        fixed: (results.debsecan.first.stdout.match(/ \(fixed/g) ?? []).length,
      },
      patchloop: {
        ...results.patchloop,
        first: undefined,
        findings: report.summary.findings,
        fixable: report.summary.fixable,
        unfixed: report.summary.unfixed,
      },
      options: Object.fromEntries(
        Object.keys(OPTION_LABELS)
          .filter((k) => k in commands)
          .map((k) => [k, { ...results[k], first: undefined }]),
      ),
      bundled,
      bundleKiB,
      assessMs: Math.round(assessMs * 100) / 100,
      onlyDebsecan,
      onlyPatchloop,
    };
    console.log(
      `debsecan ${out.debsecan.meanMs} ms (${debsecanFindings} findings)  patchloop scan ${out.patchloop.meanMs} ms (${out.patchloop.findings} findings), mean of ${runs}`,
    );
    return out;
  } finally {
    server?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const HEADING = '## Single-host scan against debsecan';

export function debsecanBenchMarkdown(r) {
  const install = '`apt-get install -y debsecan`';
  if (r.skipped) {
    return `## Single-host scan against debsecan

Skipped: ${r.skipped}. The benchmark installs nothing; on Debian or Ubuntu run ${install} and rerun
\`npm run bench\`.
`;
  }
  const row = (name, cmd, x) =>
    `| ${name} | \`${cmd}\` | ${x.meanMs} | ${x.medianMs} | ${x.minMs} | ${x.maxMs} | ${x.sdMs} | ${x.findings} |`;
  const same = r.onlyDebsecan.length === 0 && r.onlyPatchloop.length === 0;
  const ratio = r.patchloop.meanMs / r.debsecan.meanMs;
  return `## Single-host scan against debsecan

One host, the same advisories, two scanners, each timed from process start to exit (start-up, reading
the advisories and printing included), ${r.runs} interleaved runs each after one warm-up run. debsecan ${r.debsecanVersion}
is Debian's own scanner (installed with ${install}; the benchmark skips this section without it).

- Host: the Debian 10 image inventory (\`inventories/normalized/debian-buster.csv\`, ${r.packages} packages)
  written as a dpkg status file (\`Package\`, \`Status: install ok installed\`, \`Architecture\`,
  \`Source: name (version)\`, \`Version\`).
- Advisories: the DSA and DLA fixture lists. Patchloop reads them from its store (imported with
  \`patchloop feeds import debian-dsa|debian-dla\` into a fresh PGlite store). debsecan reads them in its
  own data format — a zlib-compressed \`VERSION 1\` file (vulnerability names; \`package,vuln,flags,
  unstable-version,other-versions\` lines; source → binary lines) — fetched with \`--source\` from a
  server on 127.0.0.1 in the benchmark process (${r.data.vulnerabilities} advisories with a buster entry,
  ${r.data.entries} package lines, ${r.data.bytes} bytes compressed), never from the internet.
  The lists carry each release's fixed version but no unstable version, so the buster fixed version is
  written in debsecan's unstable-version field: debsecan then flags a source version lower than it,
  the same test Patchloop applies (\`<unfixed>\`/\`<end-of-life>\` entries: every version, for both).

| scanner | command | mean ms | median ms | min ms | max ms | sd ms | findings |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
${row('debsecan', `debsecan --suite buster --source http://127.0.0.1:PORT/ --status status --format detail`, r.debsecan)}
${row('Patchloop', 'patchloop scan --dpkg-status status --os debian:10 --data-dir store --format json', r.patchloop)}

Patchloop takes **${ratio.toFixed(2)}×** debsecan's time on this host (aim: ≤ 1.5×, ${ratio <= 1.5 ? 'met' : '**not met**'}). Both count one finding per
(advisory, installed binary package): debsecan prints one block per vulnerability and binary package,
Patchloop one finding per advisory and binary package (${r.patchloop.fixable} fixable, ${r.patchloop.unfixed} unfixed;
debsecan marks ${r.debsecan.fixed} as fixed in the suite). ${
    same
      ? 'The two sets of (advisory, package) pairs are identical.'
      : `They differ: only debsecan ${r.onlyDebsecan.length} (${r.onlyDebsecan.slice(0, 5).join(', ')}), only Patchloop ${r.onlyPatchloop.length} (${r.onlyPatchloop.slice(0, 5).join(', ')}).`
  }

What the numbers do not say: with the real tracker data (\`security-tracker.debian.org/tracker/debsecan/release/1/buster\`)
debsecan counts per CVE and also lists issues no DSA/DLA fixed (open, \`no-dsa\`, postponed), and its test is
"source version < the fix in unstable and not one of the listed fixed versions"; here both read only the
DSA/DLA lists, so the counts compare like for like. debsecan is one Python script with python-apt, its data
one ${Math.round(r.data.bytes / 1024)} KiB download. Patchloop reads the store's scan index (the per-release JSON that \`feeds import\`
writes, so a scan does not start PGlite), picks the advisories that name the host's packages, assesses and prints
JSON; the assessment itself (\`assessHost\` on the same ${r.packages} packages against the whole DSA/DLA index in this
process, no cache, best of 20) takes ${r.assessMs} ms: start-up is most of a scan's time.

### Where the scan's start-up goes: each way of starting, in the same run

Every way below ran interleaved with the others and with debsecan (${r.runs} rounds), on the same host and store,
and printed the same report. CPU ms is the process's user + system time (GNU time): on a busy machine it moves
less than the wall-clock time.${r.bundled ? '' : ' **The bundle was not built** (`npm run build`): `patchloop scan` ran the lean modules.'}

${optionsMarkdown(r)}

- The whole CLI loaded every command's modules (feeds, fastify's server, the store's PGlite on some paths:
  about 190 ES modules and their CommonJS dependencies) before parsing \`scan\`'s arguments.
- The lean entry (\`packages/cli/src/scan-main.ts\`, chosen by \`bin/patchloop.js\` when the command is
  \`scan\`) loads core, commander, the store's scan-index module and the scan's own modules; the store itself
  (PGlite) only when there is no complete scan index.
- The bundle (\`packages/cli/scripts/build-scan.js\`, rolldown — already the agent's bundler, no new
  dependency) is one ${r.bundleKiB} KiB file: no module resolution, and only the parts of core a scan uses.
- V8's code cache (\`bin/scan-loader.js\`): the bundle compiled and run at build time as far as
  \`scan --help\`, its compiled code kept beside it and handed to \`vm.Script\` at start (what Node.js 22's
  \`module.enableCompileCache()\` does; Node.js 20 has only \`vm.Script\`'s \`cachedData\`).
- A V8 start-up snapshot of the bundle (its heap after the top level ran) is the fastest start, but it needs
  \`node --snapshot-blob FILE\` on the node command line, which a \`#!/usr/bin/env node\` script cannot give
  itself: it would take a second process (a whole Node.js start) or a shell wrapper instead of the npm
  \`bin\`. Not shipped.
- What is left above \`node -e 0\` (${r.patchloop.meanMs - r.options.nodeEmpty.meanMs} ms) is compiling the bundle from its cache and running its top
  level, reading and parsing the release's scan index (all of buster's advisories as one JSON file), the
  assessment and the output. An empty Node.js takes ${(r.options.nodeEmpty.meanMs / r.debsecan.meanMs).toFixed(2)}× debsecan's time: no scan that runs on
  Node.js 20 can go below that.

Patchloop's JSON output also carries CVSS/KEV/EPSS enrichment and explanations
(none here: only the DSA/DLA lists are in the store).
`;
}

if (isMain(import.meta.url)) {
  await standalone({
    run: () => runDebsecanBench(benchRoot, benchFixtures),
    markdown: debsecanBenchMarkdown,
    heading: HEADING,
    write: !process.argv.includes('--no-write'),
    raw: 'patchloop-debsecan.json',
  });
}
