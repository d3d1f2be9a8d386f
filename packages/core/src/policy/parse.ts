/**
 * Policy documents from YAML, JSON or already-decoded data: strict (unknown
 * keys are problems), every problem collected with its path, defaults filled
 * in. All problems are thrown together as one PL_POLICY_INVALID error whose
 * details.problems list { path, message } (plus line and column for YAML).
 */
import { LineCounter, isNode, parseDocument } from 'yaml';
import { unsafeValueProblem } from '../security/safe-value.js';
import type { Document } from 'yaml';
import { PatchloopError } from '../error/codes.js';
import type { PolicyDocument, PolicyProblem } from './model.js';
import { formatPath } from './reader.js';
import type { Path } from './reader.js';
import { read } from './sections.js';

function invalid(problems: readonly PolicyProblem[], name: unknown): PatchloopError {
  const which = typeof name === 'string' && name !== '' ? `policy ${JSON.stringify(name)}` : 'policy';
  const lines = problems.map((p) => {
    const at = p.line === undefined ? '' : ` (line ${p.line}, column ${p.column ?? 1})`;
    return `  ${p.path === '' ? '(document)' : p.path}${at}: ${p.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new PatchloopError('PL_POLICY_INVALID', `${which} is invalid (${count}):\n${lines.join('\n')}`, {
    problems,
  });
}

const nameOf = (doc: unknown): unknown =>
  typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).name : undefined;

/** Validates decoded policy data (YAML/JSON already parsed) and fills the defaults in; throws PL_POLICY_INVALID. */
export function parsePolicy(doc: unknown): PolicyDocument {
  const { policy, problems } = read(doc);
  if (problems.length > 0) {
    throw invalid(
      problems.map((p) => ({ path: formatPath(p.path), message: p.message })),
      nameOf(doc),
    );
  }
  return policy;
}

/** The node nearest to a path (the path itself, or its closest ancestor present in the YAML). */
function position(doc: Document, lines: LineCounter, path: Path): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return {};
}

/**
 * Parses a policy from YAML (the default; JSON is YAML too) or strict JSON.
 * Syntax errors and validation problems alike throw PL_POLICY_INVALID; for
 * YAML each problem carries the line and column of the value it is about.
 */
/** NUL characters, lone surrogates and unsafe integers: no stored document may hold them. */
function refuseUnsafe(data: unknown): void {
  const problem = unsafeValueProblem(data, 'the document');
  if (problem !== null) throw invalid([{ path: '', message: problem }], undefined);
}

export function parsePolicyText(text: string, format: 'yaml' | 'json' = 'yaml'): PolicyDocument {
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw invalid([{ path: '', message: `not valid JSON: ${(e as Error).message}` }], undefined);
    }
    refuseUnsafe(data);
    return parsePolicy(data);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { path: '', message: `not valid YAML: ${e.message.split('\n')[0]}`, line, column: col };
    });
    throw invalid(problems, undefined);
  }
  let data: unknown;
  try {
    // An alias bomb (aliases of aliases, a billion strings from a few lines) throws here.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw invalid([{ path: '', message: `not usable YAML: ${(e as Error).message}` }], undefined);
  }
  refuseUnsafe(data);
  const { policy, problems } = read(data);
  if (problems.length > 0) {
    const located = problems
      .map((p) => ({
        path: formatPath(p.path),
        message: p.message,
        ...position(doc, lines, p.path),
      }))
      // Document order (sort is stable: problems at the same place keep theirs).
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw invalid(located, nameOf(data));
  }
  return policy;
}
