// A TLS-terminating proxy on loopback with a throwaway self-signed certificate for localhost (made
// by the openssl command), so Sesame can run with an https issuer in a test: Sesame takes its
// scheme from ISSUER, and the proxy forwards plain http to it. Browsers must ignore the
// certificate's errors (Playwright: newContext({ ignoreHTTPSErrors: true })); a server-side RP
// (openid-client) uses the proxy's `fetch`, which trusts that one certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsProxy {
  /** `https://localhost:PORT` */
  url: string;
  /** Forwards to this http origin from now on (the proxy starts first: its URL is the issuer). */
  route(upstream: string): void;
  /**
   * A fetch for openid-client (`[customFetch]`) that trusts the proxy's certificate and no other:
   * Node's global fetch cannot be given a CA, so this one is made on node:https.
   */
  fetch(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

function fetchTrusting(ca: Buffer): TlsProxy['fetch'] {
  return (url, { method = 'GET', headers = {}, body }) =>
    new Promise((resolve, reject) => {
      const sent = body === undefined || body === null ? undefined : body instanceof Uint8Array ? Buffer.from(body) : String(body);
      const req = httpsRequest(new URL(url), { method, headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, one);
          }
          const status = res.statusCode ?? 502;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      req.end(sent);
    });
}

function selfSignedLocalhost(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-tls-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTlsProxy(): Promise<TlsProxy> {
  let upstream: string | undefined;
  const tls = selfSignedLocalhost();
  const server = createServer(tls, (req, res) => {
    if (!upstream) {
      res.writeHead(502).end('no upstream yet');
      return;
    }
    const forwarded = request(new URL(req.url ?? '/', upstream), { method: req.method, headers: req.headers }, (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    });
    forwarded.on('error', () => res.writeHead(502).end('upstream unavailable'));
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    route(target) {
      upstream = target;
    },
    fetch: fetchTrusting(tls.cert),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
