// A TLS-terminating proxy on loopback with a throwaway self-signed certificate for localhost (made
// by the openssl command), so Sesame can run with an https issuer in a test: Sesame takes its
// scheme from ISSUER, and the proxy forwards plain http to it. Browsers must ignore the
// certificate's errors (Playwright: newContext({ ignoreHTTPSErrors: true })).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsProxy {
  /** `https://localhost:PORT` */
  url: string;
  /** Forwards to this http origin from now on (the proxy starts first: its URL is the issuer). */
  route(upstream: string): void;
  close(): Promise<void>;
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
  const server = createServer(selfSignedLocalhost(), (req, res) => {
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
