/**
 * Test support for the fault tests: a real agent (the `Agent` class, local
 * runner) on a Debian 10 host whose inventory changes at every collection,
 * so each check-in the server acknowledges can be checked in the store.
 */
import { join } from 'node:path';
import type { WirePackage } from '@patchloop/contracts';
import { Agent, localRunner } from '@patchloop/agent';
import { DEBIAN_OS, dpkgCollection } from '@patchloop/test-support/agent-protocol';
import { csvPackages, wirePackages } from '../fleet-lab.js';

/** A package of this agent's own: source name and version equal to the binary's, no vendor. */
export function probePackage(name: string, version: string): WirePackage {
  return { name, version, arch: 'amd64', sourceName: name, sourceVersion: version, vendor: null };
}

export interface ProbeAgentOptions {
  readonly server: string;
  readonly enrollSecret: string;
  /** Parent of the agent's state directory (`agent-<index>`). */
  readonly dir: string;
  readonly index: number;
  /** Pads the index to the 32-character machine id. */
  readonly machineIdFill: string;
  readonly hostname: string;
  /** The packages that change: added to 40 buster packages at the n-th collection. */
  readonly changing: (n: number) => WirePackage[];
  /** Collections made before (a new agent object for the same machine continues the count). */
  readonly collected?: number;
}

/** The agent, and how many collections it has made (the probe version it last reported). */
export function probeAgent(o: ProbeAgentOptions): { agent: Agent; collected: () => number } {
  const base = wirePackages(csvPackages('debian-buster.csv').slice(0, 40));
  let n = o.collected ?? 0;
  const agent = new Agent({
    server: o.server,
    enrollSecret: o.enrollSecret,
    runner: localRunner({ root: '/' }),
    stateDir: join(o.dir, `agent-${o.index}`),
    runJobs: false,
    collect: async () => {
      n++;
      return dpkgCollection({
        machineId: `${o.index}`.padStart(32, o.machineIdFill),
        hostname: o.hostname,
        os: DEBIAN_OS.buster,
        packages: [...base, ...o.changing(n)],
      });
    },
  });
  return { agent, collected: () => n };
}
