/** Test support (`@patchloop/agent/testing`): a real sshd, and the lab's machines. */
export * from './sshd.js';
export * from './lab/index.js';
