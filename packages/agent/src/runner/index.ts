export * from './runner.js';
export { localRunner, type LocalRunnerOptions } from './local.js';
export { sshRunner, type SshRunnerOptions } from './ssh.js';
export { shellQuote, shellQuoteArg } from './shell-quote.js';
