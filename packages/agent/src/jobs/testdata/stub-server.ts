/**
 * Test support: a stand-in for the Patchloop server on 127.0.0.1, for tests of what the agent
 * does with answers a real server would never give (forged jobs, replays). `answer` gets each
 * request with its whole body; replies are JSON.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface StubServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function stubServer(
  answer: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<StubServer> {
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      answer(req, body, res);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const a = srv.address();
  return {
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    async close() {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}
