export * from './scheme.js';
export { debian, compareDebianLenient, type DebianVersion } from './debian.js';
export { semver, semverLoose, compareSemver, type SemverVersion } from './semver.js';
export * from './rpm.js';
export * from './apk.js';
export * from './list.js';
export * from './nevra.js';
