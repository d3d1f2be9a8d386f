/**
 * Policy files for `patchloop policy apply`: the -f arguments expanded
 * (directories to their *.yaml, *.yml and *.json files, sorted), each file
 * checked with core's parser before it is sent anywhere, and its problems
 * written as `FILE:LINE:COLUMN: PATH: message`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isPatchloopError, parsePolicyText, PatchloopError, type PolicyProblem } from '@patchloop/core';
import type { PolicyInput } from './backend.js';

const POLICY_FILE = /\.(ya?ml|json)$/i;

/** The files the -f arguments name, in order; a directory gives its policy files sorted by name. */
export function expandPolicyFiles(paths: readonly string[]): string[] {
  if (paths.length === 0) throw new PatchloopError('PL_USAGE', 'give at least one policy file: -f FILE');
  const out: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new PatchloopError('PL_USAGE', `no such file or directory: ${p}`);
    }
    if (isDir) {
      const files = readdirSync(p, { withFileTypes: true })
        .filter((d) => POLICY_FILE.test(d.name) && (d.isFile() || statSync(join(p, d.name)).isFile()))
        .map((d) => d.name)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((n) => join(p, n));
      if (files.length === 0) {
        throw new PatchloopError('PL_USAGE', `no .yaml, .yml or .json file in the directory ${p}`);
      }
      out.push(...files);
    } else {
      if (!POLICY_FILE.test(p)) {
        throw new PatchloopError('PL_USAGE', `a policy file must end in .yaml, .yml or .json: ${p}`);
      }
      out.push(p);
    }
  }
  return out;
}

const isJsonFile = (file: string) => /\.json$/i.test(file);

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

const problemsOf = (e: PatchloopError): PolicyProblem[] =>
  Array.isArray(e.details.problems) ? (e.details.problems as PolicyProblem[]) : [];

/**
 * Parses a JSON policy strictly, as the server will; problems get the line
 * and column of their value from reading the same text as YAML (JSON is YAML).
 */
function checkJson(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    const where = at ? lineColumn(text, Number(at[1])) : {};
    throw new PatchloopError('PL_POLICY_INVALID', `policy is invalid (1 problem): not valid JSON`, {
      problems: [{ path: '', message: `not valid JSON: ${message}`, ...where }],
    });
  }
  try {
    return parsePolicyText(text, 'json').name;
  } catch (e) {
    if (!isPatchloopError(e) || e.code !== 'PL_POLICY_INVALID') throw e;
    const positions = new Map<string, { line?: number; column?: number }>();
    try {
      parsePolicyText(text, 'yaml');
    } catch (y) {
      if (isPatchloopError(y)) {
        for (const p of problemsOf(y)) {
          if (p.line !== undefined) positions.set(p.path, { line: p.line, column: p.column ?? 1 });
        }
      }
    }
    const problems = problemsOf(e).map((p) => ({ ...p, ...(positions.get(p.path) ?? {}) }));
    throw new PatchloopError('PL_POLICY_INVALID', e.message, { ...e.details, problems });
  }
}

/** Reads and checks one policy file; throws PL_POLICY_INVALID with every problem. */
export function readPolicyFile(file: string): PolicyInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PatchloopError('PL_USAGE', `cannot read ${file}: ${(e as Error).message}`);
  }
  const json = isJsonFile(file);
  const name = json ? checkJson(text) : parsePolicyText(text, 'yaml').name;
  return { name, text, json };
}

/** `FILE:LINE:COLUMN: PATH: message` per problem (line and column when known), else `FILE: message`. */
export function formatProblems(file: string, e: PatchloopError): string {
  const problems = problemsOf(e);
  if (problems.length === 0) return `${file}: ${e.message.split('\n')[0] ?? ''}\n`;
  return problems
    .map((p) => {
      const where = p.line === undefined ? file : `${file}:${p.line}:${p.column ?? 1}`;
      return `${where}: ${p.path === '' ? '(document)' : p.path}: ${p.message}\n`;
    })
    .join('');
}
