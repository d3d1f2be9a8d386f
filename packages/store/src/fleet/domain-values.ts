/**
 * Text columns that hold one of the domain's values (criticality, user
 * risk, environment, package manager), read back as the domain's types.
 * Every writer validates against the same lists; a value outside them (a
 * row edited by hand) reads as the column's default, or null.
 */
import {
  CRITICALITIES,
  ENVIRONMENTS,
  USER_RISKS,
  type Criticality,
  type Environment,
  type PackageManager,
  type UserRisk,
} from '@patchloop/core';

const MANAGERS: readonly PackageManager[] = ['dpkg', 'rpm', 'apk'];

function oneOf<T extends string>(list: readonly T[], v: string | null): T | null {
  return list.find((x) => x === v) ?? null;
}

export const criticalityOf = (v: string): Criticality => oneOf(CRITICALITIES, v) ?? 'tier2';
export const userRiskOf = (v: string): UserRisk => oneOf(USER_RISKS, v) ?? 'standard';
export const environmentOf = (v: string | null): Environment | null => oneOf(ENVIRONMENTS, v);
export const packageManagerOf = (v: string | null): PackageManager | null => oneOf(MANAGERS, v);
