// CPU and memory of processes from /proc (Linux), for the check-in load
// benchmark: the server process, every process of a PostgreSQL cluster (the
// postmaster and its children; exited children through the postmaster's
// cutime/cstime), this process, and the whole machine.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* keep 100 */
}

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** { ppid, cpuSeconds, childCpuSeconds } of a pid, or null when it is gone. */
export function procStat(pid) {
  const s = read(`/proc/${pid}/stat`);
  if (s === null) return null;
  // Fields after the command name (which may hold spaces) in parentheses.
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const n = (k) => Number(f[k - 3]);
  return { ppid: n(4), cpuSeconds: (n(14) + n(15)) / clkTck, childCpuSeconds: (n(16) + n(17)) / clkTck };
}

/** Resident memory in MiB: rss (VmRSS) and pss (proportional: shared pages split among sharers). */
export function procMemory(pid) {
  const status = read(`/proc/${pid}/status`);
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  const kb = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text ?? '')?.[1] ?? 0);
  return {
    rssMiB: kb(status, 'VmRSS') / 1024,
    pssMiB: (rollup ? kb(rollup, 'Pss') : kb(status, 'VmRSS')) / 1024,
  };
}

/** The pid of the postmaster listening on `port` (its command line has `-p <port>`). */
export function findPostmaster(port) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = read(`/proc/${d}/cmdline`);
    if (!cmd) continue;
    const args = cmd.split('\0');
    if (!/postgres$/.test(args[0] ?? '')) continue;
    const i = args.indexOf('-p');
    if (i >= 0 && args[i + 1] === String(port)) return Number(d);
  }
  return null;
}

function childrenOf(ppid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(d);
    if (st && st.ppid === ppid) out.push(Number(d));
  }
  return out;
}

/** The server's `patchloop worker` children (PostgreSQL: its jobs run there). */
export function workerPids(serverPid) {
  return childrenOf(serverPid).filter((pid) =>
    (read(`/proc/${pid}/cmdline`) ?? '').split('\0').includes('worker'),
  );
}

/** Total CPU seconds and memory of a PostgreSQL cluster's processes right now. */
export function clusterUsage(postmaster) {
  const pm = procStat(postmaster);
  if (!pm) return null;
  let cpu = pm.cpuSeconds + pm.childCpuSeconds;
  const mem = procMemory(postmaster);
  let rss = mem.rssMiB;
  let pss = mem.pssMiB;
  const kids = childrenOf(postmaster);
  for (const pid of kids) {
    const st = procStat(pid);
    if (!st) continue;
    cpu += st.cpuSeconds;
    const m = procMemory(pid);
    rss += m.rssMiB;
    pss += m.pssMiB;
  }
  return { cpuSeconds: cpu, rssMiB: rss, pssMiB: pss, processes: kids.length + 1 };
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu() {
  const line = read('/proc/stat')?.split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busySeconds: (total - idle) / clkTck, totalSeconds: total / clkTck };
}

/**
 * Samples the server, the cluster, this process and the machine every
 * `everyMs`; `mark()` starts a window, `window()` gives its CPU % (of one
 * core) and the peak memory seen in it.
 */
export class Sampler {
  constructor({ serverPid, postmaster, everyMs = 500 }) {
    this.serverPid = serverPid;
    this.postmaster = postmaster;
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    this.start = null;
  }

  snapshot() {
    const s = procStat(this.serverPid);
    const pg = clusterUsage(this.postmaster);
    const self = process.cpuUsage();
    // Worker processes (jobs beside the server on PostgreSQL); one restarted inside a window counts from zero.
    const workers = workerPids(this.serverPid).map((pid) => procStat(pid)?.cpuSeconds ?? 0);
    return {
      t: performance.now(),
      server: s ? s.cpuSeconds : 0,
      workers: workers.reduce((a, b) => a + b, 0),
      pg: pg ? pg.cpuSeconds : 0,
      self: (self.user + self.system) / 1e6,
      machine: machineCpu(),
    };
  }

  sample() {
    if (!this.start) return;
    const m = procMemory(this.serverPid);
    const pg = clusterUsage(this.postmaster);
    this.peak.serverRssMiB = Math.max(this.peak.serverRssMiB, m.rssMiB);
    const w = workerPids(this.serverPid).reduce((sum, pid) => sum + procMemory(pid).rssMiB, 0);
    this.peak.workerRssMiB = Math.max(this.peak.workerRssMiB, w);
    if (pg) {
      this.peak.pgPssMiB = Math.max(this.peak.pgPssMiB, pg.pssMiB);
      this.peak.pgRssMiB = Math.max(this.peak.pgRssMiB, pg.rssMiB);
      this.peak.pgProcesses = Math.max(this.peak.pgProcesses, pg.processes);
    }
  }

  mark() {
    this.start = this.snapshot();
    this.peak = { serverRssMiB: 0, workerRssMiB: 0, pgPssMiB: 0, pgRssMiB: 0, pgProcesses: 0 };
    this.sample();
  }

  window() {
    this.sample();
    const a = this.start;
    const b = this.snapshot();
    const s = (b.t - a.t) / 1000;
    // Backends started inside the window count from zero (they were absent from the first snapshot).
    const pgCpu = b.pg - a.pg;
    const pct = (x) => (100 * x) / s;
    const machineBusy = b.machine.busySeconds - a.machine.busySeconds;
    const machineTotal = b.machine.totalSeconds - a.machine.totalSeconds;
    const workerCpu = Math.max(0, b.workers - a.workers);
    const ours = b.server - a.server + workerCpu + pgCpu + (b.self - a.self);
    return {
      seconds: s,
      otherCpuPct: Math.max(0, pct(machineBusy - ours)),
      serverCpuPct: pct(b.server - a.server),
      workerCpuPct: pct(workerCpu),
      pgCpuPct: pct(pgCpu),
      loadGenCpuPct: pct(b.self - a.self),
      machineBusyPct: machineTotal > 0 ? (100 * machineBusy) / machineTotal : 0,
      ...this.peak,
    };
  }

  stop() {
    clearInterval(this.timer);
  }
}
