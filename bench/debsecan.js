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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import {
  assessHost,
  enrichmentFrom,
  indexAdvisories,
  parseDpkgStatus,
  parseOsSpec,
  readCsvRecords,
} from '@patchloop/core';
import { IMPORTERS } from '@patchloop/feeds';
import { readFixtureFiles } from './fleet-data.js';

const SUITE = 'buster';
const RELEASES = new Set(['buster', '10']); // how the lists spell the release Patchloop matches for debian:10
const LISTS = [
  ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
  ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
];

function run(cmd, args) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ ms, code: error ? (error.code ?? 1) : 0, stdout, stderr });
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

/** The Debian 10 image inventory as a dpkg status file (one installed stanza per package). */
export function statusFromCsv(csvText) {
  const [head, ...rows] = readCsvRecords(csvText).map((r) => r.cells);
  const col = Object.fromEntries(head.map((c, i) => [c.trim(), i]));
  return rows
    .filter((r) => r.length === head.length)
    .map((r) =>
      [
        `Package: ${r[col.name]}`,
        'Status: install ok installed',
        `Architecture: ${r[col.arch]}`,
        `Source: ${r[col.source_name]} (${r[col.source_version]})`,
        `Version: ${r[col.version]}`,
        'Description: synthesized from inventories/normalized/debian-buster.csv',
        '',
      ].join('\n'),
    )
    .join('\n');
}

/**
 * The DSA/DLA lists' entries for the suite in debsecan's format. The lists
 * give only each release's fixed version (no unstable version), so the
 * suite's fixed version goes in the "unstable version" field: debsecan then
 * reports a source version lower than it, the test Patchloop applies. An
 * entry without a fixed version (<unfixed>, <end-of-life>) has an empty one:
 * every version is affected, for both. <not-affected> entries are left out.
 */
export function debsecanData(advisories) {
  const names = [];
  const lines = [];
  for (const a of advisories) {
    const entries = a.affected.filter((e) => RELEASES.has(e.release ?? '') && e.status !== 'not-affected');
    if (entries.length === 0) continue;
    const vnum = names.length;
    const cves = a.aliases.filter((x) => x.startsWith('CVE-'));
    names.push(`${a.id},,${a.summary.replaceAll('\n', ' ')}${cves.length ? ` (${cves.join(' ')})` : ''}`);
    for (const e of entries) {
      const fixed = e.fixedVersion ?? '';
      // flags: S = source package, ' ' = no urgency, '?' = remote unknown, F = fix available.
      lines.push(`${e.package},${vnum},S ?${fixed ? 'F' : ' '},${fixed},`);
    }
  }
  const text = `VERSION 1\n${names.join('\n')}\n\n${lines.join('\n')}\n\n\n`;
  return {
    body: deflateSync(Buffer.from(text, 'utf8')),
    vulnerabilities: names.length,
    entries: lines.length,
  };
}

/** debsecan --format detail prints one block per (vulnerability, installed binary package). */
function countDetail(stdout) {
  return stdout.split('\n').filter((l) => l !== '' && l[0] !== ' ').length;
}

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
  return {
    runs: s.length,
    meanMs: Math.round(mean),
    medianMs: Math.round(s[Math.floor(s.length / 2)]),
    minMs: Math.round(s[0]),
    maxMs: Math.round(s.at(-1)),
    sdMs: Math.round(sd),
  };
}

export async function runDebsecanBench(
  root,
  fixtures,
  { runs = Number(process.env.PATCHLOOP_BENCH_RUNS ?? 10) } = {},
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
      patchloop: [
        process.execPath,
        [
          cli,
          'scan',
          '--dpkg-status',
          status,
          '--os',
          'debian:10',
          '--data-dir',
          dataDir,
          '--format',
          'json',
        ],
      ],
      // Start-up alone (Node.js and the CLI's modules, no store), to show where the scan's time goes.
      patchloopStartup: [process.execPath, [cli, '--version']],
    };
    const results = {};
    for (const [name, [cmd, args]] of Object.entries(commands)) {
      const first = await run(cmd, args); // warm-up (page cache), also the output we count
      if (first.code !== 0) throw new Error(`${name} failed (${first.code}): ${first.stderr.slice(0, 500)}`);
      const times = [];
      for (let i = 0; i < runs; i++) {
        const r = await run(cmd, args);
        if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr.slice(0, 500)}`);
        times.push(r.ms);
      }
      results[name] = { ...stats(times), first };
    }

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
      patchloopStartup: { ...results.patchloopStartup, first: undefined },
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
the advisories and printing included), ${r.runs} runs each after one warm-up run. debsecan ${r.debsecanVersion}
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
| Patchloop start-up only | \`patchloop --version\` | ${r.patchloopStartup.meanMs} | ${r.patchloopStartup.medianMs} | ${r.patchloopStartup.minMs} | ${r.patchloopStartup.maxMs} | ${r.patchloopStartup.sdMs} | |

Patchloop takes **${ratio.toFixed(1)}×** debsecan's time on this host. Both count one finding per
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
DSA/DLA lists, so the counts compare like for like. Of Patchloop's ${r.patchloop.meanMs} ms, ${r.patchloopStartup.meanMs} ms is starting
Node.js and loading the CLI's modules (\`patchloop --version\`); the other ${r.patchloop.meanMs - r.patchloopStartup.meanMs} ms is reading the
store's scan index (the per-release JSON that \`feeds import\` writes, so a scan does not start PGlite), picking the
advisories that name the host's packages, assessing and printing JSON. The assessment itself (\`assessHost\` on the same ${r.packages} packages
against the whole DSA/DLA index in this process, no cache, best of 20) takes ${r.assessMs} ms. debsecan is one Python script with
python-apt, its data one ${Math.round(r.data.bytes / 1024)} KiB download. Patchloop's JSON output also carries CVSS/KEV/EPSS enrichment and explanations
(none here: only the DSA/DLA lists are in the store).
`;
}
