import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ServerContext } from './context.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What each route module registers against. */
export interface Api {
  readonly app: App;
  readonly ctx: ServerContext;
}

/**
 * A route module: declares its routes relative to the URL prefix app.ts mounts it at
 * (a Fastify plugin registered with `prefix`), each one thin: validate, authorize
 * (`config.access`), call a service, respond.
 */
export type Routes = (api: Api) => void;
