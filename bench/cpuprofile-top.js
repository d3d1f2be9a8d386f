// Summarizes a V8 .cpuprofile (node --cpu-prof) over a time window: the
// functions with the most self time, and the inclusive time of frames whose
// name or file matches a pattern. Used to see where the server's time goes
// during one phase of bench/checkin-load.js (phase windows are in its raw
// results as CLOCK_MONOTONIC microseconds, the clock V8 profiles use).
//
//   node bench/cpuprofile-top.js PROFILE [--from US] [--to US] [--top N] [--match REGEX]...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export function summarize(profile, { from = -Infinity, to = Infinity, top = 30, match = [] } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const inclusive = new Map(match.map((m) => [m, 0]));
  let t = profile.startTime;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]);
    const f = node.callFrame;
    total += dt;
    if (f.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const key =
      `${f.functionName || '(anonymous)'} ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id).callFrame;
      const s = `${cf.functionName} ${cf.url}`;
      for (const m of match) {
        if (!seen.has(m) && new RegExp(m).test(s)) {
          seen.add(m);
          inclusive.set(m, inclusive.get(m) + dt);
        }
      }
    }
  }
  const busy = total - idle;
  return {
    windowMs: total / 1000,
    busyMs: busy / 1000,
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => ({ fn: k, ms: v / 1000, pctOfBusy: (100 * v) / busy })),
    inclusive: [...inclusive.entries()].map(([k, v]) => ({
      match: k,
      ms: v / 1000,
      pctOfBusy: (100 * v) / busy,
    })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const o = { match: [] };
  let file = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--from') o.from = Number(args[++i]);
    else if (args[i] === '--to') o.to = Number(args[++i]);
    else if (args[i] === '--top') o.top = Number(args[++i]);
    else if (args[i] === '--match') o.match.push(args[++i]);
    else file = args[i];
  }
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')), o);
  console.log(`window ${s.windowMs.toFixed(0)} ms, main thread busy ${s.busyMs.toFixed(0)} ms`);
  for (const r of s.top)
    console.log(`${r.ms.toFixed(1).padStart(9)} ms ${r.pctOfBusy.toFixed(1).padStart(5)} %  ${r.fn}`);
  for (const r of s.inclusive)
    console.log(
      `inclusive ${r.ms.toFixed(1).padStart(9)} ms ${r.pctOfBusy.toFixed(1).padStart(5)} %  /${r.match}/`,
    );
}
