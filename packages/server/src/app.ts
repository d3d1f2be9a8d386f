/**
 * The server application, built apart from listening (tests use inject()).
 * Every route validates its input and serializes its output from TypeBox
 * schemas; errors are `{"error":{"code","message"}}`; OpenAPI at /api/docs.
 */
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions, type RouteOptions } from 'fastify';
import type { App, Routes } from './api.js';
import { registerAuth } from './auth/authenticate.js';
import type { ServerContext } from './context.js';
import { consoleBuilt, registerConsole } from './console.js';
import { frameworkErrorHandler, registerErrors, storeDisk } from './errors.js';
import { registerSecurityHeaders, SECURITY_HEADERS } from './security-headers.js';
import { auditRoutes } from './routes/audit.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { enrollmentSettingRoutes } from './routes/enrollment.js';
import { agentRoutes, enrollRoutes } from './routes/agent.js';
import { exceptionRoutes } from './routes/exceptions.js';
import { deploymentRoutes } from './routes/deployments.js';
import { acceptPolicyText, policyRoutes } from './routes/policies.js';
import { remediationRoutes } from './routes/remediation.js';
import { sessionRoutes } from './routes/session.js';
import { settingsRoutes } from './routes/settings.js';
import { complianceRoutes } from './routes/compliance.js';
import { feedRoutes } from './routes/feeds.js';
import { findingRoutes } from './routes/findings.js';
import { hostRoutes } from './routes/hosts/index.js';
import { installRoutes } from './routes/install.js';
import { jobSigningRoutes } from './routes/job-signing.js';
import { systemRoutes } from './routes/system.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { vulnerabilityRoutes } from './routes/vulnerabilities.js';
import { refuseUndeclaredQueries, refuseUnsafeJson, validatorCompiler } from './validation.js';

/** The server's version, from its package.json (never written out in the code). */
export const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface BuildOptions {
  /** pino options or false (tests). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Called for every route as it is registered (Fastify's onRoute hook; the RBAC test lists them so). */
  readonly onRoute?: (route: RouteOptions) => void;
}

/** Log redaction: credentials never reach the log. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...['authorization', 'cookie', 'password', 'secret', 'token', 'credential'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
  ]),
];

export async function build(ctx: ServerContext, opts: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1024 * 1024,
    // On close, every connection goes (parked polls were answered in preClose). Without it, `up`
    // stopping while its own agent's long poll and a feed sync were in flight waited forever on
    // that poll's connection (seen with Ctrl-C: the 20 s watchdog had to end the process).
    forceCloseConnections: true,
    // A path that does not decode, or is too long, is answered like every other error.
    frameworkErrors: frameworkErrorHandler({ ...SECURITY_HEADERS }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());
  registerSecurityHeaders(app);
  ctx.log = app.log;
  await app.register(swagger, {
    openapi: {
      info: { title: 'Patchloop API', version: SERVER_VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(cookie);
  const fallback = consoleBuilt(ctx.config.consoleDir)
    ? await registerConsole(app, ctx.config.consoleDir)
    : undefined;
  registerErrors(app, fallback, storeDisk(ctx.db));
  registerAuth(app, ctx);
  // Parked long polls answer at once when the server closes (else close waits them out).
  app.addHook('preClose', async () => ctx.agentJobs.close());
  refuseUndeclaredQueries(app);
  refuseUnsafeJson(app);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  acceptPolicyText(app);
  // Each route module is a Fastify plugin mounted at its URL prefix: this is the API's map. Only
  // the routes outside /api/v1 are registered directly: health and readiness (the OpenAPI
  // document is swagger's, above) and the agent's install script and downloads.
  const mount = (prefix: string, routes: Routes) =>
    app.register(async (scoped) => routes({ app: scoped, ctx }), { prefix });
  const api = { app, ctx };
  systemRoutes(api);
  void mount('/api/v1/enroll', enrollRoutes);
  void mount('/api/v1/agent', agentRoutes);
  void mount('/api/v1/hosts', hostRoutes);
  void mount('/api/v1/exceptions', exceptionRoutes);
  void mount('/api/v1/deployments', deploymentRoutes);
  void mount('/api/v1/policies', policyRoutes);
  void mount('/api/v1/remediations', remediationRoutes);
  void mount('/api/v1', sessionRoutes);
  void mount('/api/v1/tokens', tokenRoutes);
  void mount('/api/v1/users', userRoutes);
  void mount('/api/v1/audit', auditRoutes);
  void mount('/api/v1/dashboard', dashboardRoutes);
  void mount('/api/v1/job-signing', jobSigningRoutes);
  void mount('/api/v1/settings', settingsRoutes);
  void mount('/api/v1/settings/enrollment', enrollmentSettingRoutes);
  void mount('/api/v1/feeds', feedRoutes);
  void mount('/api/v1/findings', findingRoutes);
  void mount('/api/v1/vulnerabilities', vulnerabilityRoutes);
  void mount('/api/v1/compliance', complianceRoutes);
  installRoutes(api, SERVER_VERSION);
  await app.ready();
  return app;
}
