/**
 * One job's reporting on the agent: the context a job runs in, the progress
 * and final reports (the log since the last report that got through; the
 * final report kept in the journal until acknowledged), and the policy's
 * pre/post scripts.
 */
import type { AgentJob, JobReport, JobReportResponse, JobState } from '@patchloop/contracts';
import { isPatchloopError } from '@patchloop/core';
import { isTimeout, logBlock } from '../backends/install.js';
import type { JobError } from '../backends/types.js';
import type { HostRunner } from '../runner/runner.js';
import type { InstalledDatabase } from './installed.js';
import type { Journal, JournalEntry } from './journal.js';
import type { LockHolder } from './lock.js';

export interface JobContext {
  readonly runner: HostRunner;
  readonly journal: Journal;
  readonly machineId: string;
  /** Sends one report to the server; throws when it does not get there. */
  readonly report: (jobId: string, report: JobReport) => Promise<JobReportResponse>;
  readonly now?: (() => Date) | undefined;
  readonly log?: ((line: string) => void) | undefined;
  /** Whether the agent may reboot the machine it runs on (local runner on '/'); default false. */
  readonly allowReboot?: boolean | undefined;
  /** Reads the package database (default: the collectors' readers through the runner). */
  readonly readInstalled?: ((runner: HostRunner) => Promise<InstalledDatabase>) | undefined;
  /** Whether the host needs a reboot after the install (default: reboot.ts). */
  readonly rebootRequired?: ((runner: HostRunner, db: InstalledDatabase) => Promise<boolean>) | undefined;
}

export type JobOutcome =
  | {
      readonly kind: 'ran' | 'resent' | 'recovered';
      readonly report: JobReport;
      /** Whether the server acknowledged the final report (else it is re-sent later). */
      readonly acknowledged: boolean;
    }
  | { readonly kind: 'busy'; readonly holder: LockHolder };

/** The contract's cap on one report's log, with room for the marker. */
const LOG_MAX = 260_000;

export function capLog(text: string): string {
  if (text.length <= LOG_MAX) return text;
  const head = text.slice(0, 32_000);
  const tailPart = text.slice(text.length - (LOG_MAX - 32_100));
  return `${head}\n[… ${text.length - head.length - tailPart.length} characters cut …]\n${tailPart}`;
}

export const capMessage = (m: string) => (m.length <= 4000 ? m : `${m.slice(0, 3990)} […]`);

export function errorOf(e: unknown, fallbackCode: string): JobError {
  return {
    code: isPatchloopError(e) ? e.code : fallbackCode,
    message: capMessage(e instanceof Error ? e.message : String(e)),
  };
}

export type FinalState = Extract<JobState, 'succeeded' | 'failed' | 'timed-out'>;
export type ReportFields = Omit<JobReport, 'machineId' | 'state' | 'log'>;

/** One job's reports: the log since the last report that got through, and the final report. */
export class JobRun {
  private pending = '';
  constructor(
    readonly job: AgentJob,
    private readonly ctx: JobContext,
  ) {}

  get now(): Date {
    return (this.ctx.now ?? (() => new Date()))();
  }

  note(text: string): void {
    this.pending += text.endsWith('\n') ? text : `${text}\n`;
  }

  /** A progress report; null when it did not reach the server (its log goes with the next one). */
  async progress(state: JobState, fields: ReportFields = {}): Promise<JobReportResponse | null> {
    const report: JobReport = { machineId: this.ctx.machineId, state, log: capLog(this.pending), ...fields };
    try {
      const r = await this.ctx.report(this.job.id, report);
      this.pending = '';
      return r;
    } catch (e) {
      this.ctx.log?.(`job ${this.job.id}: report ${state} failed (${(e as Error).message})`);
      return null;
    }
  }

  /** Keeps the final report in the journal, then sends it. */
  async finish(
    state: FinalState,
    fields: ReportFields,
    kind: 'ran' | 'recovered' = 'ran',
  ): Promise<JobOutcome> {
    const report: JobReport = {
      machineId: this.ctx.machineId,
      state,
      log: capLog(this.pending),
      ...fields,
      ...(fields.error
        ? { error: { code: fields.error.code, message: capMessage(fields.error.message) } }
        : {}),
    };
    this.ctx.journal.finish(this.job.id, report, this.now);
    const acknowledged = await sendFinal(this.job.id, report, this.ctx);
    this.ctx.log?.(`job ${this.job.id}: ${state}${fields.error ? ` (${fields.error.code})` : ''}`);
    return { kind, report, acknowledged };
  }
}

export async function sendFinal(id: string, report: JobReport, ctx: JobContext): Promise<boolean> {
  try {
    await ctx.report(id, report);
    ctx.journal.acknowledge(id, (ctx.now ?? (() => new Date()))());
    return true;
  } catch (e) {
    ctx.log?.(`job ${id}: final report not acknowledged (${(e as Error).message}); kept to send again`);
    return false;
  }
}

export async function resend(entry: JournalEntry, ctx: JobContext): Promise<JobOutcome> {
  const report = entry.final as JobReport;
  const acknowledged = await sendFinal(entry.id, report, ctx);
  return { kind: 'resent', report, acknowledged };
}

export async function runScript(
  run: JobRun,
  ctx: JobContext,
  what: 'pre-check' | 'post-check',
  script: string,
): Promise<string | null> {
  const title = `$ sh -c <${what} script>`;
  try {
    const res = await ctx.runner.run('sh', ['-c', script], {
      timeoutMs: run.job.timeoutSeconds * 1000,
      env: {
        PATCHLOOP_JOB_ID: run.job.id,
        PATCHLOOP_DEPLOYMENT_ID: String(run.job.deploymentId),
        PATCHLOOP_JOB_KIND: run.job.kind,
        PATCHLOOP_PHASE: what,
      },
    });
    run.note(
      logBlock(title, res, res === null ? `sh is not available on ${ctx.runner.description}` : undefined),
    );
    if (res === null)
      return `the ${what} script could not run: sh is not available on ${ctx.runner.description}`;
    if (res.code !== 0) {
      const last = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-3).join(' / ');
      return `the ${what} script exited ${res.code}${last === '' ? '' : `: ${last}`}`;
    }
    return null;
  } catch (e) {
    run.note(logBlock(title, null, (e as Error).message));
    if (isTimeout(e))
      return `the ${what} script did not finish within ${run.job.timeoutSeconds} s and was killed`;
    return `the ${what} script could not run: ${(e as Error).message}`;
  }
}
