// npm run bench: runs every benchmark and writes BENCHMARKS.md.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeMachine } from './machine.js';
import { feedBenchMarkdown, runFeedBench } from './feeds.js';
import { runVersionBench } from './versions.js';
import { fleetBenchMarkdown, runFleetBench } from './fleet.js';
import { debsecanBenchMarkdown, runDebsecanBench } from './debsecan.js';

const root = resolve(import.meta.dirname, '..');
const fixtures = process.env.PATCHLOOP_FIXTURES ?? join(root, '..', 'shared', 'fixtures');
const m = describeMachine();
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);

const v = runVersionBench(fixtures);
const feeds = await runFeedBench(root, fixtures);
const fleet = runFleetBench(root, fixtures);
const debsecan = await runDebsecanBench(root, fixtures);
const fmt = (n) => (n / 1e6).toFixed(2);
const semverRow = v.rows.find((r) => r.name === 'semver');

const md = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Numbers are from one run on the
machine below; rerun to compare on yours.

## Machine

| | |
| --- | --- |
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| memory | ${m.memoryGiB} GiB |
| OS | ${m.os} (kernel ${m.kernel}) |
| Node.js | ${m.node} |

## Version comparison (one core)

\`scheme.compare(a, b)\` on strings, validation included, over realistic pairs built from the shared
fixtures: installed versions from the real inventories and fixed versions from the advisories
(DSA/DLA, AlmaLinux OSV, Alpine tables), each against its sorted neighbour and a pseudo-random
partner. Best of 5 rounds of ≥ 400 ms after a warm-up round.

| scheme | pairs | million comparisons / s |
| --- | ---: | ---: |
${v.rows.map((r) => `| ${r.name} | ${r.pairs} | ${fmt(r.opsPerSec)} |`).join('\n')}
| \`semver\` package (node-semver ${JSON.parse((await import('node:fs')).readFileSync(join(root, 'node_modules/semver/package.json'), 'utf8')).version}), same pairs | ${semverRow?.pairs} | ${fmt(v.nodeSemver)} |

Our SemVer is **${(semverRow.opsPerSec / v.nodeSemver).toFixed(1)}×** the \`semver\` package on the same pairs.
Aim for Debian: at least 3 million comparisons per second on one core — ${v.rows[0].opsPerSec >= 3e6 ? 'met' : '**not met**'}.
`;
writeFileSync(
  join(root, 'BENCHMARKS.md'),
  `${md}\n${feedBenchMarkdown(feeds)}\n${fleetBenchMarkdown(fleet)}\n${debsecanBenchMarkdown(debsecan)}`,
);
await (await import('./checkin-load.js')).recordCheckinLoad(root, fixtures); // its own section, appended
await (await import('./console-lists.js')).recordConsoleLists(root, fixtures); // its own section, appended
await (await import('./agent-artifact.js')).recordAgentArtifact(); // its own section, appended
await (await import('./feeds-size.js')).recordFeedsSize(root); // its own section, appended
await (await import('./sync-latency.js')).recordSyncLatency(root); // its own section, appended
await (await import('./deploy-scale.js')).recordDeployScale(); // its own section, appended
// The whole loop at PATCHLOOP_SCALE_HOSTS hosts (default 50,000): hours on today's build, see the section.
await (await import('./scale.js')).recordScale(root, fixtures); // its own section, appended
console.log('wrote BENCHMARKS.md');
