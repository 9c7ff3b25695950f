// A tiny load balancer on loopback: each request goes to the next upstream in turn, so the
// consecutive requests of one sign-in land on different Sesame instances (no sticky sessions).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** How many requests each upstream answered, by its place in the list given to `route`. */
  counts: number[];
  /**
   * Sends requests to these upstreams from now on. The proxy can start first (its URL is the
   * issuer the instances are started with) and learn their addresses once they reported them.
   */
  route(upstreams: string[]): void;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(initial: string[] = []): Promise<RoundRobinProxy> {
  let next = 0;
  let upstreams = [...initial];
  const counts = upstreams.map(() => 0);
  const server: Server = createServer((req, res) => {
    if (upstreams.length === 0) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('no upstream yet');
      return;
    }
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${bound}`,
    counts,
    route(list) {
      upstreams = [...list];
      counts.splice(0, counts.length, ...upstreams.map(() => 0));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
