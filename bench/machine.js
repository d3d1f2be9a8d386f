// Describes the machine a benchmark ran on, for BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';

export function describeMachine() {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? cpu;
  } catch {
    /* not Linux */
  }
  let os = 'unknown OS';
  try {
    os = /PRETTY_NAME="?([^"\n]*)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    /* no os-release */
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os,
    kernel: release(),
    node: process.version,
  };
}
