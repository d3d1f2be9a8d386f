/**
 * What the CLI's offline commands do on a running server instead of opening
 * its store (which belongs to the server alone): import an offline host from
 * an inventory file, import a feed file or archive uploaded as it is.
 */
import {
  FeedImportParams,
  FeedImportQuery,
  FeedImportResult,
  HOST_IMPORT_MAX_BYTES,
  HostImportRequest,
  HostImportResult,
} from '@patchloop/contracts';
import { isPatchloopError, parseInventoryText, parseOsSpec, PatchloopError } from '@patchloop/core';
import type { Api } from '../api.js';
import { actorOf, WRITE } from '../auth/principal.js';
import { ApiError } from '../errors.js';
import { importFeedUpload, receiveUpload } from '../services/feed-upload.js';
import { importHost } from '../services/import-host.js';

export function importRoutes({ app, ctx }: Api): void {
  app.post(
    '/api/v1/hosts/import',
    {
      config: { access: WRITE },
      // JSON escapes make the body longer than the file it carries.
      bodyLimit: HOST_IMPORT_MAX_BYTES * 2,
      schema: { tags: ['hosts'], body: HostImportRequest, response: { 200: HostImportResult } },
    },
    async (req) => {
      const b = req.body;
      let inventory;
      try {
        inventory = parseInventoryText(b.format, b.content);
      } catch (e) {
        if (isPatchloopError(e)) throw new ApiError(400, e.code, e.message);
        throw e;
      }
      const os = b.os !== undefined ? parseOsSpec(b.os) : inventory.os;
      if (!os) {
        throw new ApiError(
          400,
          'PL_OS_UNSUPPORTED',
          'the inventory does not say which OS it is: give os (e.g. debian:12)',
        );
      }
      const r = await importHost(ctx, {
        hostname: b.hostname,
        os,
        tags: b.tags ?? [],
        inventory,
        actor: actorOf(req.principal),
      });
      return { hostId: r.hostId, hostname: b.hostname, packages: r.packages, findings: r.findings };
    },
  );

  // Feed files arrive as they are published (bytes), streamed to a temporary file.
  app.register(async (scoped) => {
    scoped.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    scoped.post(
      '/api/v1/feeds/:source/import',
      {
        config: { access: WRITE },
        schema: {
          tags: ['feeds'],
          params: FeedImportParams,
          querystring: FeedImportQuery,
          response: { 200: FeedImportResult },
        },
      },
      async (req) => {
        const { assertSource } = await import('@patchloop/feeds');
        let source;
        try {
          source = assertSource((req.params as { source: string }).source);
        } catch (e) {
          if (e instanceof PatchloopError) throw new ApiError(400, e.code, e.message);
          throw e;
        }
        if (!req.headers['content-type']?.startsWith('application/octet-stream')) {
          throw new ApiError(415, 'PL_REQUEST_INVALID', 'send the feed file as application/octet-stream');
        }
        const upload = await receiveUpload(
          req.body as NodeJS.ReadableStream,
          (req.query as { name: string }).name,
          ctx.config.uploadLimitBytes,
        );
        try {
          return await importFeedUpload(ctx, source, upload.path, actorOf(req.principal));
        } finally {
          upload.remove();
        }
      },
    );
  });
}
