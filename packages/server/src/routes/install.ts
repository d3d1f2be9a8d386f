/**
 * Installing the agent on another machine: `GET /install.sh` (the installer, with this server's
 * URL and the SHA-256 of each agent tarball in it) and `GET /downloads/:file` (the built agent).
 * Public: a machine that is not enrolled yet fetches them; the enrollment token is given to the
 * installer on its command line, never served.
 */
import { AgentDownloadParams } from '@patchloop/contracts';
import { Type } from 'typebox';
import type { Api } from '../api.js';
import { agentArtifacts, installScript, openDownload, serverUrlFor } from '../services/agent-install.js';

export function installRoutes({ app, ctx }: Api, version: string): void {
  app.get(
    '/install.sh',
    { config: { access: 'public' }, schema: { tags: ['agent'], response: { 200: Type.String() } } },
    async (req, reply) => {
      const dir = ctx.config.downloadsDir;
      const script = installScript({
        server: serverUrlFor(ctx.config, { protocol: req.protocol, host: req.headers.host }),
        version,
        artifacts: agentArtifacts(dir),
        downloadsDir: dir,
      });
      return reply.type('text/x-shellscript; charset=utf-8').header('cache-control', 'no-store').send(script);
    },
  );

  app.get(
    '/downloads/:file',
    { config: { access: 'public' }, schema: { tags: ['agent'], params: AgentDownloadParams } },
    async (req, reply) => {
      const { file } = req.params;
      const { size, stream } = openDownload(ctx.config.downloadsDir, file);
      const type = file.endsWith('.sha256') ? 'text/plain; charset=utf-8' : 'application/octet-stream';
      return reply
        .type(type)
        .header('content-length', size)
        .header('content-disposition', `attachment; filename="${file}"`)
        .header('cache-control', 'no-cache')
        .send(stream);
    },
  );
}
