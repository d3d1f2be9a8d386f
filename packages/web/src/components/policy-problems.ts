/**
 * A policy's problems, as core reports them (path, message, line, column):
 * checked in the browser with the same parser the server uses, so errors show
 * while typing; the server's answer on save uses the same shape.
 */
import { parsePolicyText, type PolicyProblem } from '@patchloop/core/policy';

export type { PolicyProblem };

export function policyProblems(text: string): PolicyProblem[] {
  try {
    parsePolicyText(text, 'yaml');
    return [];
  } catch (e) {
    const details = (e as { details?: { problems?: PolicyProblem[] } }).details;
    if (details?.problems) return details.problems;
    return [{ path: '', message: e instanceof Error ? e.message : String(e) }];
  }
}

/** Problems from an API error body's details, if it carries them. */
export function problemsOf(details: unknown): PolicyProblem[] {
  const p = (details as { problems?: unknown } | null | undefined)?.problems;
  return Array.isArray(p) ? (p as PolicyProblem[]) : [];
}
