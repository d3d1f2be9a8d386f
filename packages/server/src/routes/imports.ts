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
import { parseInventoryText, parseOsSpec, PatchloopError } from '@patchloop/core';
import type { Api } from '../api.js';
import { actorOf, WRITE } from '../auth/principal.js';
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
      const inventory = parseInventoryText(b.format, b.content);
      const os = b.os !== undefined ? parseOsSpec(b.os) : inventory.os;
      if (!os) {
        throw new PatchloopError(
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
        const source = assertSource((req.params as { source: string }).source);
        if (!req.headers['content-type']?.startsWith('application/octet-stream')) {
          throw new PatchloopError(
            'PL_MEDIA_TYPE_UNSUPPORTED',
            'send the feed file as application/octet-stream',
          );
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
