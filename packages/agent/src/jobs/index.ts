export {
  compareVersions,
  mismatches,
  readInstalled,
  versionsOf,
  type InstalledDatabase,
} from './installed.js';
export { Journal, JOB_ID, JOURNAL_KEEP_MS, type JournalEntry, type JournalPhase } from './journal.js';
export { acquireLock, pidAlive, type LockAttempt, type LockHolder } from './lock.js';
export { decideReboot, rebootRequired, type RebootDecision, type RebootReport } from './reboot.js';
export { flushJournal, runJob, type JobContext, type JobOutcome } from './runner.js';
