/**
 * Runs one job on the host, reporting each step, at most once.
 *
 * 1. A job already finished in the journal is not run again: its kept final report is re-sent.
 * 2. The job lock (one job at a time per state directory, across processes) — held by a live
 *    process: the job is left for its next delivery (`busy`).
 * 3. A job found unfinished in the journal was interrupted (the agent was killed): it is not
 *    re-run; the package database is read now and the true state reported (`recovered`).
 * 4. Past its deadline: `timed-out`, nothing run.
 * 5. `before` versions from the package database; an install job that would downgrade is refused.
 * 6. `pre-check` reported (a `cancel` answer stops here), the pre-check script (`sh -c`, non-zero:
 *    failed, nothing installed).
 * 7. `installing` reported (a `cancel` answer still stops), the journal says `installing`, the
 *    package manager refreshes its lists and installs the exact versions (rollback: downgrades
 *    allowed), killed after `timeoutSeconds`.
 * 8. `verifying` reported, the database read again (`after`): every target installed at exactly
 *    its version, or failed naming the packages; then the post-check script (non-zero: failed).
 * 9. The reboot decided (reboot.ts) and, when allowed, scheduled; the final report kept in the
 *    journal and sent; acknowledged when the server answers.
 * Progress reports that do not reach the server are not fatal: their log goes with the next one.
 */
import type { AgentJob, InstalledVersion } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';
import { backendFor } from '../backends/index.js';
import { installWith, logBlock } from '../backends/install.js';
import type { JobError } from '../backends/types.js';
import { splitPackages } from '../backends/validate.js';
import { compareVersions, mismatches, readInstalled, versionsOf } from './installed.js';
import type { InstalledDatabase } from './installed.js';
import { JOB_ID } from './journal.js';
import type { JournalEntry } from './journal.js';
import { acquireLock } from './lock.js';
import { decideReboot, rebootRequired } from './reboot.js';
import { errorOf, JobRun, resend, runScript, type JobContext, type JobOutcome } from './job-run.js';

export type { JobContext, JobOutcome } from './job-run.js';

/** Reports an interrupted job from what is installed now; never re-runs it. */
async function recover(entry: JournalEntry | null, job: AgentJob, ctx: JobContext): Promise<JobOutcome> {
  const run = new JobRun(entry?.job ?? job, ctx);
  const phase = entry?.phase ?? 'unknown (damaged journal entry)';
  if (entry === null) {
    const t = run.now.toISOString();
    ctx.journal.put({ id: job.id, phase: 'installing', job, startedAt: t, updatedAt: t });
  }
  run.note(
    `the agent stopped while this job was in phase ${phase}; not re-running it: reading the package database`,
  );
  const read = ctx.readInstalled ?? readInstalled;
  const before = entry?.before;
  try {
    const db = await read(ctx.runner);
    const after = versionsOf(db, run.job.packages);
    const wrong = mismatches(db.manager, run.job.packages, after);
    if (wrong.length === 0) {
      run.note('every target version is installed');
      return run.finish('succeeded', { ...(before ? { before } : {}), after, recovered: true }, 'recovered');
    }
    return run.finish(
      'failed',
      {
        ...(before ? { before } : {}),
        after,
        recovered: true,
        error: {
          code: 'PL_JOB_INTERRUPTED',
          message: `the agent was stopped during ${phase}; not installed as asked: ${wrong.join('; ')}`,
        },
      },
      'recovered',
    );
  } catch (e) {
    const err = errorOf(e, 'PL_JOB_INTERRUPTED');
    return run.finish(
      'failed',
      {
        ...(before ? { before } : {}),
        recovered: true,
        error: {
          code: 'PL_JOB_INTERRUPTED',
          message: `the agent was stopped during ${phase}, and the package database cannot be read now: ${err.message}`,
        },
      },
      'recovered',
    );
  }
}

async function execute(job: AgentJob, ctx: JobContext): Promise<JobOutcome> {
  const run = new JobRun(job, ctx);
  const started = run.now;
  ctx.journal.put({
    id: job.id,
    phase: 'started',
    job,
    startedAt: started.toISOString(),
    updatedAt: started.toISOString(),
  });
  ctx.log?.(
    `job ${job.id}: ${job.kind} of ${job.packages.length} package(s) (deployment ${job.deploymentId})`,
  );
  // Packages whose name, version or architecture could be read as an option or a shell word are
  // refused one by one; the job goes on with the others (nothing of them reaches a command line).
  const { valid: targets, refused } = splitPackages(job.packages);
  const refusedNote = refused.map((r) => r.why).join('; ');
  if (targets.length === 0) {
    return run.finish('failed', {
      error: {
        code: 'PL_JOB_INVALID',
        message: job.packages.length === 0 ? 'the job names no package' : `refused: ${refusedNote}`,
      },
    });
  }
  if (refused.length > 0) {
    run.note(`refused ${refused.length} package(s): ${refusedNote}; the other ${targets.length} go on`);
  }
  const deadline = Date.parse(job.deadline);
  if (!Number.isFinite(deadline)) {
    return run.finish('failed', {
      error: { code: 'PL_JOB_INVALID', message: `invalid deadline ${JSON.stringify(job.deadline)}` },
    });
  }
  if (started.getTime() > deadline) {
    run.note(`not started: the deadline ${job.deadline} passed before the agent received the job`);
    return run.finish('timed-out', {
      error: {
        code: 'PL_JOB_DEADLINE_PASSED',
        message: `the job reached the agent at ${started.toISOString()}, after its deadline ${job.deadline}; nothing was run`,
      },
    });
  }

  const read = ctx.readInstalled ?? readInstalled;
  let db: InstalledDatabase;
  try {
    db = await read(ctx.runner);
  } catch (e) {
    return run.finish('failed', { error: errorOf(e, 'PL_JOB_INSTALL_FAILED') });
  }
  const before = versionsOf(db, job.packages);
  if (job.kind === 'install') {
    const lower = targets.filter((p) => {
      const v = before[job.packages.indexOf(p)]?.version ?? null;
      return v !== null && (compareVersions(db.manager, p.version, v) ?? 0) < 0;
    });
    if (lower.length > 0) {
      return run.finish('failed', {
        before,
        error: {
          code: 'PL_JOB_DOWNGRADE_REFUSED',
          message: `an install job does not downgrade (a rollback does): ${lower
            .map((p) => `${p.name} ${before[job.packages.indexOf(p)]?.version ?? ''} → ${p.version}`)
            .join('; ')}`,
        },
      });
    }
  }
  const cancelled = () =>
    run.finish('failed', {
      before,
      error: {
        code: 'PL_JOB_CANCELLED',
        message: 'the deployment was halted or cancelled before the install started; nothing was installed',
      },
    });

  ctx.journal.advance(job.id, 'pre-check', run.now, { before });
  if ((await run.progress('pre-check', { before }))?.cancel) return cancelled();
  if (job.preScript !== null && job.preScript.trim() !== '') {
    const failed = await runScript(run, ctx, 'pre-check', job.preScript);
    if (failed !== null) {
      return run.finish('failed', { before, error: { code: 'PL_JOB_PRECHECK_FAILED', message: failed } });
    }
  }
  if ((await run.progress('installing'))?.cancel) return cancelled();

  ctx.journal.advance(job.id, 'installing', run.now);
  const backend = backendFor(db.manager);
  let installError: JobError | null;
  try {
    const res = await installWith(backend, ctx.runner, targets, {
      allowDowngrades: job.kind === 'rollback',
      timeoutMs: job.timeoutSeconds * 1000,
    });
    run.note(res.log);
    installError = res.error;
  } catch (e) {
    installError = errorOf(e, 'PL_JOB_INSTALL_FAILED');
    if (installError.code !== 'PL_JOB_INSTALL_FAILED') {
      installError = {
        code: 'PL_JOB_INSTALL_FAILED',
        message: `${installError.code}: ${installError.message}`,
      };
    }
  }

  await run.progress('verifying');
  let after: InstalledVersion[];
  try {
    db = await read(ctx.runner);
    after = versionsOf(db, job.packages);
  } catch (e) {
    const err = errorOf(e, 'PL_JOB_VERIFY_FAILED');
    return run.finish('failed', {
      before,
      error: installError ?? {
        code: 'PL_JOB_VERIFY_FAILED',
        message: `the package database cannot be read after the install: ${err.message}`,
      },
    });
  }
  if (installError !== null) return run.finish('failed', { before, after, error: installError });
  const wrong = mismatches(
    db.manager,
    targets,
    targets.map((p) => after[job.packages.indexOf(p)] ?? { name: p.name, version: null }),
  );
  if (wrong.length > 0) {
    return run.finish('failed', {
      before,
      after,
      error: { code: 'PL_JOB_VERIFY_FAILED', message: `not installed as asked: ${wrong.join('; ')}` },
    });
  }

  const required = await (ctx.rebootRequired ?? rebootRequired)(ctx.runner, db).catch(() => false);
  if (job.postScript !== null && job.postScript.trim() !== '') {
    const failed = await runScript(run, ctx, 'post-check', job.postScript);
    if (failed !== null) {
      return run.finish('failed', {
        before,
        after,
        reboot: { required, performed: false, reason: required ? 'the post-check failed' : null },
        error: { code: 'PL_JOB_POSTCHECK_FAILED', message: failed },
      });
    }
  }
  const decision = decideReboot(job.reboot, required, ctx.runner, ctx.allowReboot ?? false, job.deploymentId);
  let reboot = decision.report;
  if (decision.command !== null) {
    const [command, args] = decision.command;
    try {
      const res = await ctx.runner.run(command, args, { timeoutMs: 60_000 });
      run.note(logBlock(`$ ${command} ${args.join(' ')}`, res));
      if (res === null || res.code !== 0) {
        reboot = {
          ...reboot,
          performed: false,
          reason: res === null ? 'shutdown is not available' : `shutdown -r exited ${res.code}`,
        };
      }
    } catch (e) {
      reboot = { ...reboot, performed: false, reason: `shutdown -r failed: ${(e as Error).message}` };
    }
  } else if (reboot.reason !== null) {
    run.note(`reboot not performed: ${reboot.reason}`);
  }
  if (refused.length > 0) {
    return run.finish('failed', {
      before,
      after,
      reboot,
      error: {
        code: 'PL_JOB_INVALID',
        message: `installed the other ${targets.length} package(s) as asked; refused: ${refusedNote}`,
      },
    });
  }
  return run.finish('succeeded', { before, after, reboot });
}

/** Runs (or re-reports) one delivered job. See the file's comment for the steps. */
export async function runJob(job: AgentJob, ctx: JobContext): Promise<JobOutcome> {
  if (typeof job.id !== 'string' || !JOB_ID.test(job.id)) {
    throw new PatchloopError('PL_JOB_INVALID', `refusing a job with an invalid id ${JSON.stringify(job.id)}`);
  }
  const known = ctx.journal.get(job.id);
  if (known?.phase === 'finished' && known.final) return resend(known, ctx);
  const lock = acquireLock(ctx.journal.lockFile, job.id, ctx.now);
  if (!lock.acquired) return { kind: 'busy', holder: lock.holder };
  try {
    const entry = ctx.journal.get(job.id);
    if (entry?.phase === 'finished' && entry.final) return await resend(entry, ctx);
    if (entry !== null || ctx.journal.damaged(job.id)) return await recover(entry, job, ctx);
    return await execute(job, ctx);
  } finally {
    lock.release();
  }
}

/**
 * After a restart and before each poll: reports the jobs the journal shows interrupted (never
 * re-running them) and re-sends final reports the server has not acknowledged; forgets old ones.
 * Does nothing while another live process holds the job lock.
 */
export async function flushJournal(ctx: JobContext): Promise<JobOutcome[]> {
  const out: JobOutcome[] = [];
  const lock = acquireLock(ctx.journal.lockFile, null, ctx.now);
  if (!lock.acquired) return out;
  try {
    for (const e of ctx.journal.list()) {
      if (e.phase !== 'finished') out.push(await recover(e, e.job, ctx));
      else if (e.acknowledged !== true && e.final) out.push(await resend(e, ctx));
    }
    ctx.journal.prune((ctx.now ?? (() => new Date()))());
  } finally {
    lock.release();
  }
  return out;
}
