// The bundle's entry: run the standalone agent and exit with its code (no
// top-level await, so the same entry also bundles as CommonJS for a Node SEA).
import { agentMain } from './agent-main.js';

void agentMain(process.argv).then((code) => {
  process.exitCode = code;
});
