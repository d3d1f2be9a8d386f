/**
 * Request validation. Bodies are validated as sent: no type coercion (which
 * would turn a JSON null into "" when a union allows a string) and no
 * removal of unknown properties (which corrupts data inside anyOf branches);
 * unknown properties are errors where the schema says so. Query strings and
 * path parameters are text, so they are coerced to the declared types; a
 * query string never has parameters its schema does not name (a misspelt
 * filter would otherwise be ignored and the list look unfiltered).
 *
 * Ajv's errors are translated for people: the field as a path
 * (`rings[1].maxConcurrency`), then what it must be
 * (`password must be at least 12 characters`).
 */
import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import { unsafeValueProblem, PatchloopError } from '@patchloop/core';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';

function ajv(options: Options): Ajv {
  const a = new Ajv({
    allErrors: false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    // NaN and Infinity are not numbers a field may hold (JSON's 1e400 and "1e400" in a query
    // string both parse to Infinity, which an integer check alone lets through).
    strictNumbers: true,
    ...options,
  });
  addFormats.default(a);
  return a;
}

/** A query string schema without additionalProperties refuses unknown parameters. */
function closedQuery(schema: object): object {
  const s = schema as { type?: unknown; additionalProperties?: unknown };
  return s.type === 'object' && s.additionalProperties === undefined
    ? { ...schema, additionalProperties: false }
    : schema;
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = ajv({ coerceTypes: false });
  const params = ajv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => {
    const compiled = httpPart === 'querystring' ? closedQuery(schema as object) : (schema as object);
    const validate = (httpPart === 'body' ? body : params).compile(compiled);
    return (data: unknown) => {
      if (!validate(data)) return { error: new ValidationError(validate.errors ?? [], httpPart) };
      // Bodies were checked as they were parsed; path and query values are checked once
      // decoded and coerced (a NUL in ?q=, an id past 2^53 in the path made the query fail: 500).
      const decoded = httpPart === 'params' || httpPart === 'querystring';
      const problem = decoded ? unsafeValueProblem(data, PART_WORDS[httpPart] ?? httpPart) : null;
      return problem === null ? { value: data } : { error: new UnsafeValueError(problem) };
    };
  };
}

/** "/rings/1/maxConcurrency" → "rings[1].maxConcurrency". */
function fieldOf(path: string): string {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out === '' ? p : `${out}.${p}`), '');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date and time with a time zone (RFC 3339, e.g. 2026-01-31T12:00:00Z)',
  date: 'a date (YYYY-MM-DD)',
  uri: 'a URL',
  email: 'an e-mail address',
  uuid: 'a UUID',
};

const plural = (n: unknown, word: string) => `${String(n)} ${word}${n === 1 ? '' : 's'}`;

/** What a value must be, for one Ajv error (without the field name); null when it says nothing on its own. */
function constraint(e: ErrorObject): string | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = String(p.type).split(',');
      return `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${plural(p.limit, 'character')}`;
    case 'maxLength':
      return `must be at most ${plural(p.limit, 'character')}`;
    case 'minimum':
      return `must be at least ${String(p.limit)}`;
    case 'maximum':
      return `must be at most ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `must be more than ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `must be less than ${String(p.limit)}`;
    case 'minItems':
      return `must have at least ${plural(p.limit, 'item')}`;
    case 'maxItems':
      return `must have at most ${plural(p.limit, 'item')}`;
    case 'uniqueItems':
      return 'must not repeat an item';
    case 'minProperties':
      return `must have at least ${plural(p.limit, 'field')}`;
    case 'maxProperties':
      return `must have at most ${plural(p.limit, 'field')}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'pattern':
      return `does not have the expected form (${String(p.pattern)})`;
    case 'format':
      return `must be ${FORMAT_WORDS[String(p.format)] ?? `a valid ${String(p.format)}`}`;
    case 'multipleOf':
      return `must be a multiple of ${String(p.multipleOf)}`;
    default:
      return null;
  }
}

const PART_WORDS: Record<string, string> = {
  body: 'the request body',
  querystring: 'the query string',
  params: 'the path',
  headers: 'the headers',
};

/** One sentence per problem, naming the field as the client sent it. */
export function describeValidation(errors: readonly ErrorObject[], part: string | undefined): string[] {
  const out: string[] = [];
  const whole = PART_WORDS[part ?? ''] ?? 'the request';
  const name = (path: string) => fieldOf(path) || whole;
  for (const e of errors) {
    const p = e.params as Record<string, unknown>;
    const parent = fieldOf(e.instancePath);
    const child = (key: unknown) => (parent ? `${parent}.${String(key)}` : String(key));
    let text: string;
    if (e.keyword === 'required') text = `${child(p.missingProperty)} is required`;
    else if (e.keyword === 'additionalProperties') {
      const key = String(p.additionalProperty);
      if (part === 'querystring' && parent === '') text = `unknown query parameter "${key}"`;
      else text = parent ? `${parent} has an unknown field "${key}"` : `unknown field "${key}"`;
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      // The branches' own errors at this field say what it may be: "must be text or null".
      const alternatives = [
        ...new Set(
          errors
            .filter((b) => b !== e && b.instancePath === e.instancePath)
            .map(constraint)
            .filter((c): c is string => c !== null),
        ),
      ];
      text = `${name(e.instancePath)} ${alternatives.length > 0 ? alternatives.join(', or ') : 'is not valid'}`;
      // The branches' errors are summed up here.
      out.splice(0, out.length, ...out.filter((m) => !m.startsWith(`${name(e.instancePath)} `)));
    } else {
      const c = constraint(e);
      text = `${name(e.instancePath)} ${c ?? e.message ?? 'is not valid'}`;
    }
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

class ValidationError extends Error {
  readonly validation: unknown[];
  readonly statusCode = 400;
  constructor(errors: ErrorObject[], part: string | undefined) {
    super(describeValidation(errors, part).join('; '));
    this.validation = errors;
  }
}

class UnsafeValueError extends Error {
  readonly validation: unknown[] = [];
  readonly statusCode = 400;
}

/** The query string of an API route that takes none: any parameter is unknown. */
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false };

/** Gives every /api/v1 route without a query string schema one that refuses parameters. */
export function refuseUndeclaredQueries(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/') || route.schema?.querystring !== undefined) return;
    route.schema = { ...route.schema, querystring: NO_QUERY };
  });
}

/**
 * JSON bodies are parsed as Fastify does (prototype poisoning refused), then refused with 400
 * PL_REQUEST_INVALID when they hold what no field may: NUL characters, lone surrogates (both
 * made PostgreSQL fail the query: a 500) or integers beyond 2^53 (not exact, and past 2^63 an
 * out-of-range error in the database).
 */
export function refuseUnsafeJson(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    void parse(req, body as string, (err, value) => {
      if (err) return done(err, undefined);
      const problem = unsafeValueProblem(value);
      if (problem !== null) return done(new PatchloopError('PL_REQUEST_INVALID', problem), undefined);
      done(null, value);
    });
  });
}
