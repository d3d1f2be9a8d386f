export {
  Agent,
  AGENT_VERSION,
  payloadFor,
  snapshotOf,
  type AgentOptions,
  type CheckinOutcome,
} from './agent.js';
export { collectHost, type HostCollection } from './collectors/index.js';
export { localRunner, sshRunner, type HostRunner } from './runner/index.js';
export { StateDir } from './state/state-dir.js';
export { ServerClient, ServerError } from './transport/client.js';
export {
  apkBackend,
  aptBackend,
  backendFor,
  checkPackages,
  dnfBackend,
  installWith,
  type Backend,
  type BackendCommand,
  type InstallOptions,
  type InstallResult,
  type JobError,
  type PackageTarget,
} from './backends/index.js';
export {
  acquireLock,
  flushJournal,
  Journal,
  readInstalled,
  runJob,
  versionsOf,
  type InstalledDatabase,
  type JobContext,
  type JobOutcome,
  type JournalEntry,
} from './jobs/index.js';
