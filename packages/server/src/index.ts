export { build, REDACT, SERVER_VERSION, type BuildOptions } from './app.js';
export { consoleBuilt } from './console.js';
export { createContext, type ServerContext } from './context.js';
export { loadServerConfig, type ServerConfig } from './config.js';
export { bootstrap, type BootstrapResult } from './auth/bootstrap.js';
export { startWorker, type Worker } from './jobs/worker.js';
export {
  runWorkerProcess,
  superviseWorkers,
  workerLogger,
  type WorkerSupervisor,
} from './jobs/worker-process.js';
export { runFeedSync } from './jobs/feed-sync.js';
export { Assessor } from './services/assess.js';
export type { App } from './api.js';
export { importHost, type ImportHostInput } from './services/import-host.js';
export { applyPolicy, simulateByName, readPolicy } from './services/policies.js';
export { autoDeploy } from './services/auto-deploy.js';
export { changeUser, resetPassword } from './services/users.js';
export {
  agentArtifacts,
  installCommand,
  plainHttpWarning,
  remoteAgentNotes,
  SECRET_PLACEHOLDER,
} from './services/agent-install.js';
export { generateKeyFile, readKeyFile } from './signing/keys.js';
export { activeSigningKey } from './services/job-signing.js';
