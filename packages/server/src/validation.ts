/**
 * Request validation. Bodies are validated as sent: no type coercion (which
 * would turn a JSON null into "" when a union allows a string) and no
 * removal of unknown properties (which corrupts data inside anyOf branches);
 * unknown properties are errors where the schema says so. Query strings and
 * path parameters are text, so they are coerced to the declared types.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function ajv(options: Options): Ajv {
  const a = new Ajv({
    allErrors: false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    ...options,
  });
  addFormats.default(a);
  return a;
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = ajv({ coerceTypes: false });
  const params = ajv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => {
    const validate = (httpPart === 'body' ? body : params).compile(schema as object);
    return (data: unknown) =>
      validate(data) ? { value: data } : { error: new ValidationError(validate.errors ?? [], httpPart) };
  };
}

class ValidationError extends Error {
  readonly validation: unknown[];
  readonly statusCode = 400;
  constructor(errors: { instancePath: string; message?: string }[], part: string | undefined) {
    super(
      errors
        .map((e) => `${part ?? 'request'}${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}`)
        .join('; '),
    );
    this.validation = errors;
  }
}
