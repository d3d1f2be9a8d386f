/**
 * The enrollment setting (mounted at /api/v1/settings/enrollment; admins
 * only): the commands that enroll an agent, and a new enrollment secret.
 */
import { Enrollment } from '@patchloop/contracts';
import { rotateEnrollSecret } from '../auth/bootstrap.js';
import { actorOf, ADMIN } from '../auth/principal.js';
import type { Api } from '../api.js';
import {
  agentArtifacts,
  agentPackages,
  configuredServerUrl,
  installCommand,
  remoteAgentNotes,
  SECRET_PLACEHOLDER,
} from '../services/agent-install.js';

export function enrollmentSettingRoutes({ app, ctx }: Api): void {
  /**
   * The enrollment commands, with the secret only right after it was rotated (it is stored
   * hashed); the server's URL only from PATCHLOOP_PUBLIC_URL, never a request's Host header.
   */
  const enrollment = (secret: string | null) => {
    const server = configuredServerUrl(ctx.config);
    const ready = agentArtifacts(ctx.config.downloadsDir).length > 0;
    const shown = secret ?? SECRET_PLACEHOLDER;
    return {
      secret,
      secretNote:
        secret !== null
          ? 'Shown once: only its hash is kept. Copy it now; rotate again to get another.'
          : ctx.config.enrollSecret !== undefined
            ? 'The enrollment secret is set by PATCHLOOP_ENROLL_SECRET on the server: use that value.'
            : 'The enrollment secret is kept only hashed, so it cannot be shown again: use the one printed when it was generated, or rotate it to get a new one (shown once).',
      command: `PATCHLOOP_ENROLL_SECRET=${shown} patchloop agent --server ${server}`,
      install: {
        server,
        command: installCommand(server, shown),
        ready,
        files: agentPackages(ctx.config.downloadsDir),
        notes: remoteAgentNotes(ctx.config, server, ready),
      },
    };
  };

  app.get(
    '',
    { config: { access: ADMIN }, schema: { tags: ['agent'], response: { 200: Enrollment } } },
    async () => enrollment(null),
  );

  // A new enrollment secret, shown once in the answer: the old one stops working for new
  // enrollments; enrolled agents are unaffected.
  app.post(
    '/rotate',
    { config: { access: ADMIN }, schema: { tags: ['agent'], response: { 200: Enrollment } } },
    async (req) => enrollment(await rotateEnrollSecret(ctx, actorOf(req.principal))),
  );
}
