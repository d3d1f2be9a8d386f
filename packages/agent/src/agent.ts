/**
 * The agent: enrolls once (the credential lives in the state dir), then
 * checks in on an interval with jitter: facts every time, the inventory in
 * full the first time and then as a diff against what the server
 * acknowledged, or as its hash alone when nothing changed. Errors back off
 * exponentially. Works through any HostRunner: this machine, a root on it,
 * or a host reached over SSH (agentless).
 *
 * Between check-ins the agent long-polls the server for jobs (install,
 * rollback) instead of sleeping, runs them one at a time (jobs/runner.ts),
 * and checks in again right after a job so the server re-assesses the host
 * from its new inventory.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  INVENTORY_LIMITS,
  type CheckinRequest,
  type CheckinResponse,
  type InventoryPayload,
} from '@patchloop/contracts';
import { followRotations, PatchloopError } from '@patchloop/core';
import { collectHost, type HostCollection } from './collectors/index.js';
import { admitJob, keyIdOf, verifyEd25519 } from './jobs/admit.js';
import { flushJournal, Journal, runJob, type InstalledDatabase, type JobContext } from './jobs/index.js';
import type { HostRunner } from './runner/runner.js';
import { payloadFor, snapshotOf } from './payload.js';
import { StateDir, type Snapshot } from './state/state-dir.js';
import { ServerClient, ServerError } from './transport/client.js';
import { AGENT_VERSION } from './version.js';

export { AGENT_VERSION } from './version.js';

export { payloadFor, snapshotOf } from './payload.js';

export interface AgentOptions {
  readonly server: string;
  readonly enrollSecret?: string | undefined;
  /**
   * A one-time enrollment token an admin issued for this host: enrolls a machine the server
   * already knows after its agent lost its credential (the shared secret only creates new hosts).
   */
  readonly hostToken?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly runner: HostRunner;
  readonly stateDir: string;
  /** Check-in interval; default: what the server asks for. */
  readonly intervalMs?: number | undefined;
  readonly transport?: 'agent' | 'ssh' | undefined;
  readonly log?: ((line: string) => void) | undefined;
  /** Collects the host (default: the collectors through the runner). */
  readonly collect?: ((runner: HostRunner) => Promise<HostCollection>) | undefined;
  /** Poll for jobs between check-ins and run them (default true; `checkinOnce` never does). */
  readonly runJobs?: boolean | undefined;
  /**
   * The agent runs as the machine itself and may reboot it when a job's policy asks
   * (`shutdown -r +1`; only with a local runner on '/'). Default false: reboots are reported as
   * not performed.
   */
  readonly allowReboot?: boolean | undefined;
  /** The longest long poll, in seconds (default 25). */
  readonly maxPollSeconds?: number | undefined;
  /**
   * The machine this agent manages (`local:/`, `root:/abs/path`, `ssh:user@host:port`). Its state
   * directory belongs to that machine alone (PL_AGENT_STATE_MISMATCH otherwise), and a machine
   * with no machine id of its own gets one derived from it and its hostname, so that enrolling
   * it again finds the same host.
   */
  readonly target?: string | undefined;
  /** The hostname reported when the machine names none (a root without /etc/hostname). */
  readonly fallbackHostname?: string | undefined;
  /** For tests: how jobs read the package database and decide that a reboot is needed. */
  readonly jobHooks?:
    | {
        readonly readInstalled?: ((runner: HostRunner) => Promise<InstalledDatabase>) | undefined;
        readonly rebootRequired?:
          ((runner: HostRunner, db: InstalledDatabase) => Promise<boolean>) | undefined;
      }
    | undefined;
}

export interface CheckinOutcome {
  readonly hostId: number;
  readonly sent: InventoryPayload['kind'];
  readonly acknowledged: string | null;
  readonly nextCheckinSeconds: number;
  readonly warnings: readonly string[];
}

export class Agent {
  private readonly state: StateDir;
  private readonly client: ServerClient;
  private readonly journal: Journal;
  private failures = 0;
  /** Set when the server refused this host for good (retired): run() returned and will not check in again. */
  stopped: ServerError | null = null;
  /** Collection warnings are logged at the first check-in, not at every one. */
  private warned = false;

  constructor(private readonly opts: AgentOptions) {
    this.state = new StateDir(opts.stateDir);
    if (opts.target) this.state.claimTarget(opts.target);
    this.client = new ServerClient({ server: opts.server });
    this.journal = new Journal(opts.stateDir);
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /**
   * The host's machine id; for a machine without one, the id kept in the state dir, first
   * derived from the target and hostname (stable when the state dir is lost), else random.
   */
  private machineId(collected: string | null, hostname: string): string {
    if (collected && /^[A-Za-z0-9_.:-]{8,128}$/.test(collected)) return collected;
    const f = join(this.state.dir, 'machine-id');
    if (existsSync(f)) return readFileSync(f, 'utf8').trim();
    const id = this.opts.target
      ? createHash('sha256').update(`${this.opts.target}\n${hostname}`).digest('hex').slice(0, 32)
      : randomUUID().replace(/-/g, '');
    writeFileSync(f, `${id}\n`, { mode: 0o600 });
    return id;
  }

  /**
   * Enrolls; a machine the server knows proves it is that host with the credential it still
   * holds for this machine (another server URL) or with the admin's one-time token.
   */
  private async enroll(machineId: string, hostname: string, previous: string | null) {
    if (!this.opts.enrollSecret) {
      throw new PatchloopError(
        'PL_USAGE',
        'this agent is not enrolled: give the enrollment secret (--enroll-secret-file FILE or PATCHLOOP_ENROLL_SECRET)',
      );
    }
    const r = await this.client.enroll({
      secret: this.opts.enrollSecret,
      machineId,
      hostname,
      tags: [...(this.opts.tags ?? [])],
      ...(this.opts.transport ? { transport: this.opts.transport } : {}),
      ...(this.opts.hostToken ? { hostToken: this.opts.hostToken } : {}),
      ...(previous !== null && !this.opts.hostToken ? { credential: previous } : {}),
    });
    const e = {
      server: this.opts.server,
      hostId: r.hostId,
      credential: r.credential,
      machineId,
      tags: [...(this.opts.tags ?? [])],
    };
    this.state.saveEnrollment(e);
    this.log(`enrolled as host ${r.hostId}`);
    this.pinServerKey(r.jobSigningKey);
    return e;
  }

  /**
   * Pins the job signing key of the enrollment answer, unless a key is pinned for this server
   * already: a later enrollment (which whoever answers for the server's name can force with a 401)
   * never replaces it; only a rotation statement the pinned key signed does.
   */
  private pinServerKey(offered: { keyId: string; publicKey: string } | undefined): void {
    const pinned = this.state.serverKey() as { keyId: string; server?: string } | null;
    if (pinned && pinned.server === this.opts.server) {
      if (offered && offered.keyId !== pinned.keyId) {
        this.log(
          `warning: the server offered job signing key ${offered.keyId} at enrollment; keeping the pinned key ${pinned.keyId} (jobs signed otherwise are refused; remove ${join(this.state.dir, 'server-key.json')} to accept a new server key)`,
        );
      }
      return;
    }
    if (!offered) {
      this.log('warning: the server sent no job signing key: every job will be refused');
      return;
    }
    this.state.saveServerKey({
      keyId: keyIdOf(offered.publicKey),
      publicKey: offered.publicKey,
      server: this.opts.server,
    });
  }

  /** Moves the pinned key along the rotation statements the server sent (each signed by the key it leaves). */
  private followKeyRotations(statements: CheckinResponse['keyRotations']): void {
    const pinned = this.state.serverKey();
    if (!pinned || !statements || statements.length === 0) return;
    const next = followRotations(pinned, statements, verifyEd25519, keyIdOf);
    if (next.keyId === pinned.keyId) return;
    this.state.saveServerKey({ ...next, server: this.opts.server });
    this.log(
      `job signing key rotated: ${pinned.keyId} → ${next.keyId}; jobs signed by the old key are refused from now on`,
    );
  }

  /** One check-in: collect, enroll when needed, send, remember what the server acknowledged. */
  async checkinOnce(): Promise<CheckinOutcome> {
    let collected: Pick<HostCollection, 'facts' | 'machineId' | 'warnings'>;
    let snapshot: Snapshot;
    try {
      const c = await (
        this.opts.collect ?? ((r) => collectHost(r, { fallbackHostname: this.opts.fallbackHostname }))
      )(this.opts.runner);
      collected = c;
      snapshot = {
        ...snapshotOf(c),
        facts: c.facts,
        machineId: this.machineId(c.machineId, c.facts.hostname),
      };
      this.state.savePending(snapshot);
    } catch (e) {
      // Collection failed (package database locked, host unreachable over SSH): a collection
      // the server has not acknowledged yet is still worth sending.
      const pending = this.state.pending();
      if (!pending?.facts || !pending.machineId) throw e;
      this.log(`collection failed (${(e as Error).message}); sending the pending one`);
      snapshot = pending;
      collected = {
        facts: pending.facts,
        machineId: pending.machineId,
        warnings: [`collection failed: ${(e as Error).message}`],
      };
    }
    const machineId = snapshot.machineId ?? this.machineId(collected.machineId, collected.facts.hostname);
    let enrollment = this.state.enrollment();
    if (!enrollment || enrollment.server !== this.opts.server || enrollment.machineId !== machineId) {
      this.state.forgetAcknowledged();
      const previous = enrollment?.machineId === machineId ? enrollment.credential : null;
      enrollment = await this.enroll(machineId, collected.facts.hostname, previous);
    }
    let acked = this.state.acknowledged();
    let response: CheckinResponse | null = null;
    let sent: InventoryPayload['kind'] = 'full';
    for (let attempt = 0; attempt < 3 && response === null; attempt++) {
      const inventory = payloadFor(snapshot, acked);
      sent = inventory.kind;
      const body: CheckinRequest = {
        agentVersion: AGENT_VERSION,
        machineId,
        facts: collected.facts,
        inventory,
        ...(this.state.serverKey() ? { jobKeyId: this.state.serverKey()?.keyId } : {}),
      };
      const size = Buffer.byteLength(JSON.stringify(body));
      if (size > INVENTORY_LIMITS.maxBodyBytes) {
        throw new PatchloopError(
          'PL_PAYLOAD_TOO_LARGE',
          `the inventory is ${size} bytes, over the server's limit`,
        );
      }
      try {
        const r = await this.client.checkin(enrollment.credential, body);
        if (r.needFull) {
          this.state.forgetAcknowledged();
          acked = null;
          continue;
        }
        response = r;
      } catch (e) {
        if (e instanceof ServerError && e.status === 401 && attempt === 0) {
          // The server no longer knows the credential (host deleted, credential revoked): enroll again.
          // Its revoked credential proves nothing: a known host needs the admin's token.
          this.state.forgetEnrollment();
          this.state.forgetAcknowledged();
          acked = null;
          enrollment = await this.enroll(machineId, collected.facts.hostname, null);
          continue;
        }
        if (
          e instanceof ServerError &&
          e.code === 'PL_CHECKIN_INVENTORY_INVALID' &&
          inventory.kind !== 'full'
        ) {
          this.state.forgetAcknowledged();
          acked = null;
          continue;
        }
        throw e;
      }
    }
    if (response === null) throw new Error('the server kept asking for the full inventory');
    // Enrolled before jobs were signed: pin the key now (never replaces a pinned one).
    if (response.jobSigningKey && !this.state.serverKey()) this.pinServerKey(response.jobSigningKey);
    this.followKeyRotations(response.keyRotations);
    if (response.acknowledged === snapshot.hash) {
      this.state.saveAcknowledged(snapshot);
      this.state.clearPending();
    }
    return {
      hostId: enrollment.hostId,
      sent,
      acknowledged: response.acknowledged,
      nextCheckinSeconds: response.nextCheckinSeconds,
      warnings: [...collected.warnings, ...this.tagWarnings(enrollment)],
    };
  }

  /** --tags apply at enrollment; tags given later are not silently dropped but said so. */
  private tagWarnings(enrollment: { hostId: number; tags?: readonly string[] }): string[] {
    const given = [...new Set(this.opts.tags ?? [])].sort();
    const enrolled = enrollment.tags === undefined ? null : [...new Set(enrollment.tags)].sort();
    if (given.length === 0 || (enrolled !== null && given.join(',') === enrolled.join(','))) return [];
    return [
      `--tags ${given.join(',')} ${enrolled === null ? 'may differ from the tags' : `differ from the tags (${enrolled.join(',') || 'none'})`} this host was enrolled with: --tags apply at enrollment only; change host ${enrollment.hostId}'s tags in the console (Hosts → the host → Edit) or with PATCH /api/v1/hosts/${enrollment.hostId}`,
    ];
  }

  /** How jobs run for the enrolled host. */
  private jobContext(credential: string, machineId: string): JobContext {
    return {
      runner: this.opts.runner,
      journal: this.journal,
      machineId,
      report: (id, report) => this.client.reportJob(credential, id, report),
      log: (line) => this.log(line),
      allowReboot: this.opts.allowReboot ?? false,
      readInstalled: this.opts.jobHooks?.readInstalled,
      rebootRequired: this.opts.jobHooks?.rebootRequired,
    };
  }

  /**
   * Long-polls for jobs for up to `ms` and runs what arrives, one at a time. First reports
   * jobs interrupted by a restart and re-sends unacknowledged final reports. Returns how long
   * to wait still before the next check-in: 0 after a job (check in at once), the rest of
   * `ms` when polling fails (the next check-in backs off if the server stays unreachable).
   */
  async pollForJobs(ms: number, signal: AbortSignal): Promise<number> {
    const enrollment = this.state.enrollment();
    if (!enrollment) return ms;
    const ctx = this.jobContext(enrollment.credential, enrollment.machineId);
    const end = Date.now() + ms;
    try {
      const flushed = await flushJournal(ctx);
      if (flushed.some((o) => o.kind === 'recovered')) return 0;
    } catch (e) {
      this.log(`job journal: ${(e as Error).message}`);
    }
    while (!signal.aborted) {
      const left = end - Date.now();
      const waitSeconds = Math.min(this.opts.maxPollSeconds ?? 25, Math.floor(left / 1000));
      if (waitSeconds < 1) return Math.max(0, left);
      let jobs;
      const asked = Date.now();
      try {
        jobs = (
          await this.client.pollJobs(
            enrollment.credential,
            { machineId: enrollment.machineId, waitSeconds },
            signal,
          )
        ).jobs;
      } catch (e) {
        if (signal.aborted) return 0;
        this.log(`job poll failed (${(e as Error).message}); next check-in in ${Math.round(left / 1000)} s`);
        return Math.max(0, end - Date.now());
      }
      if (!Array.isArray(jobs) || jobs.length === 0) {
        // An empty answer well before the wait asked for (a server shutting down, or one that
        // does not hold polls) must not turn into a tight loop: wait out the rest of the poll.
        const early = asked + waitSeconds * 1000 - Date.now();
        if (early > waitSeconds * 500) await sleep(early, signal);
        continue;
      }
      let ran = false;
      for (const job of jobs) {
        try {
          const refusal = admitJob(job, {
            state: this.state,
            journal: this.journal,
            me: { hostId: enrollment.hostId, machineId: enrollment.machineId },
            now: new Date(),
          });
          if (refusal !== null) {
            // Nothing of it runs: the server learns why, and the task fails with the code.
            this.log(
              `job ${String((job as { id?: unknown }).id)} refused: ${refusal.code}: ${refusal.message}`,
            );
            await ctx.report(job.id, {
              machineId: enrollment.machineId,
              state: 'failed',
              log: `refused by the agent: ${refusal.message}\n`,
              error: { code: refusal.code, message: refusal.message },
            });
            continue;
          }
          const outcome = await runJob(job, ctx);
          if (outcome.kind === 'busy') {
            this.log(
              `job ${job.id}: another agent process (pid ${outcome.holder.pid}) is running a job; left for later`,
            );
          } else {
            ran = true;
          }
        } catch (e) {
          this.log(`job ${String((job as { id?: unknown }).id)}: ${(e as Error).message}`);
        }
      }
      if (ran) return 0;
      return Math.min(Math.max(0, end - Date.now()), 30_000);
    }
    return 0;
  }

  /**
   * Checks in until the signal aborts: interval with ±10 % jitter, exponential backoff on errors;
   * between check-ins, polls for jobs (unless `runJobs` is false).
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let waitMs: number;
      let checkedIn = false;
      try {
        const r = await this.checkinOnce();
        if (!this.warned) for (const w of r.warnings) this.log(`warning: ${w}`);
        this.warned = true;
        this.failures = 0;
        checkedIn = true;
        const base = this.opts.intervalMs ?? r.nextCheckinSeconds * 1000;
        waitMs = base * (0.9 + Math.random() * 0.2);
        this.log(`checked in (${r.sent}), next in ${Math.round(waitMs / 1000)} s`);
      } catch (e) {
        // A retired host's agent has nothing more to do: say why and stop (PL_HOST_RETIRED).
        if (e instanceof ServerError && e.code === 'PL_HOST_RETIRED') {
          this.log(`stopping: ${e.message}`);
          this.stopped = e;
          return;
        }
        this.failures++;
        const cap = Math.min(300_000, 2000 * 2 ** Math.min(this.failures, 10));
        waitMs = cap / 2 + Math.random() * (cap / 2);
        this.log(`check-in failed (${(e as Error).message}); retrying in ${Math.round(waitMs / 1000)} s`);
      }
      if (checkedIn && this.opts.runJobs !== false && !signal.aborted) {
        waitMs = await this.pollForJobs(waitMs, signal);
      }
      await sleep(waitMs, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
