// A tiny load balancer on loopback: each request goes to the next upstream in turn, so the
// consecutive requests of one sign-in land on different Sesame instances (no sticky sessions).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** How many requests each upstream answered. */
  counts: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: string[], port = 0): Promise<RoundRobinProxy> {
  let next = 0;
  const counts = upstreams.map(() => 0);
  const server: Server = createServer((req, res) => {
    const index = next++ % upstreams.length;
    counts[index]!++;
    const target = new URL(req.url ?? '/', upstreams[index]);
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: req.headers.host ?? target.host, 'x-forwarded-for': '127.0.0.1' } },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unavailable');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${bound}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
