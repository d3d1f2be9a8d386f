/**
 * Test support: the server's routes as its OpenAPI document lists them, and
 * values that satisfy a route's schemas, so a test can change one field at a
 * time and reach the code behind validation.
 */
import type { App } from '../../src/api.js';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  nullable?: boolean;
  additionalProperties?: boolean | JsonSchema;
}

export interface Parameter {
  readonly in: 'path' | 'query';
  readonly name: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface Operation {
  readonly method: string;
  /** OpenAPI form: /api/v1/hosts/{id}. */
  readonly path: string;
  readonly parameters: readonly Parameter[];
  /** Content type → schema of the request body, when there is one. */
  readonly body: Record<string, JsonSchema>;
}

/** Every operation of the document the server serves at /api/docs/json. */
export async function operations(app: App): Promise<Operation[]> {
  const r = await app.inject({ method: 'GET', url: '/api/docs/json' });
  if (r.statusCode !== 200) throw new Error(`OpenAPI document: ${r.statusCode}`);
  const doc = r.json() as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: Parameter[];
          requestBody?: { content: Record<string, { schema: JsonSchema }> };
        }
      >
    >;
  };
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (method === 'head') continue;
      const body = Object.fromEntries(
        Object.entries(op.requestBody?.content ?? {}).map(([type, c]) => [type, c.schema]),
      );
      out.push({ method: method.toUpperCase(), path, parameters: op.parameters ?? [], body });
    }
  }
  return out;
}

/** Texts tried, in order, against a pattern; the first that matches is used. */
const PATTERN_SAMPLES = [
  'fuzz-sample-1',
  'debian:12',
  '2030-01-01',
  '0'.repeat(64),
  'patchloop-agent_0.1.0_amd64.deb',
  'fuzzname',
  'tNoSuchJob000',
];

function patternSample(pattern: string): string {
  const re = new RegExp(pattern, 'u');
  const s = PATTERN_SAMPLES.find((c) => re.test(c));
  if (s === undefined)
    throw new Error(`no sample text matches the pattern ${pattern}: add one to PATTERN_SAMPLES`);
  return s;
}

/**
 * A value the schema accepts, with the required properties only; `named`
 * may choose the value of a property by its name (a real host id, say).
 */
export function sample(
  schema: JsonSchema,
  named: (name: string) => unknown = () => undefined,
  name = '',
): unknown {
  const chosen = named(name);
  if (chosen !== undefined) return chosen;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) {
    const branch = schema.anyOf.find((b) => b.type !== 'null') ?? schema.anyOf[0];
    return sample(branch as JsonSchema, named, name);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        out[key] = sample(schema.properties?.[key] ?? {}, named, key);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, named, name));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string': {
      if (schema.format === 'date-time') return '2030-01-01T00:00:00Z';
      if (schema.pattern) return patternSample(schema.pattern);
      const min = schema.minLength ?? 1;
      return 'fuzz'.padEnd(min, 'z').slice(0, Math.max(min, Math.min(4, schema.maxLength ?? 4)));
    }
    default:
      return {};
  }
}

/**
 * Every field of a body schema, as paths into the value (["facts", "os", "id"];
 * a list's items as index 0), objects included. anyOf: the first object branch.
 */
export function fieldPaths(schema: JsonSchema, prefix: (string | number)[] = []): (string | number)[][] {
  const objectBranch = schema.anyOf?.find((b) => b.type === 'object' || b.properties !== undefined);
  const s = objectBranch ?? schema;
  const out: (string | number)[][] = [];
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    out.push([...prefix, key], ...fieldPaths(child, [...prefix, key]));
  }
  if (s.items) out.push([...prefix, 0], ...fieldPaths(s.items, [...prefix, 0]));
  return out;
}

/** The schema at a path (anyOf: its first object branch). */
export function schemaAt(schema: JsonSchema, path: readonly (string | number)[]): JsonSchema {
  let s: JsonSchema = schema;
  for (const step of path) {
    s = s.anyOf?.find((b) => b.type === 'object' || b.properties !== undefined || b.items) ?? s;
    s = (typeof step === 'number' ? s.items : s.properties?.[step]) ?? {};
  }
  return s;
}

/**
 * A copy of `base` with the value at `path` replaced; missing parents are
 * filled with valid samples of their schema, so only that one field is wrong.
 */
export function withField(
  base: unknown,
  schema: JsonSchema,
  path: readonly (string | number)[],
  value: unknown,
  named: (name: string) => unknown,
): unknown {
  const root = structuredClone(base) as Record<string | number, unknown>;
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i] as string | number;
    if (node[step] === null || typeof node[step] !== 'object') {
      const s = schemaAt(schema, path.slice(0, i + 1));
      const filled = sample(s, named, String(step));
      node[step] = Array.isArray(filled) && filled.length === 0 ? [sample(s.items ?? {}, named)] : filled;
    }
    node = node[step] as Record<string | number, unknown>;
  }
  node[path[path.length - 1] as string | number] = value;
  return root;
}
