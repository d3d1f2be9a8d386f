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
