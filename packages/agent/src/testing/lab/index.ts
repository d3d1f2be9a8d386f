/** The lab: Debian roots, packages, an apt repository and a feed for end-to-end tests. */
export * from './apt-repo.js';
export * from './chroot.js';
export * from './debian-root.js';
export * from './exec.js';
export * from './feed.js';
export * from './packages.js';
