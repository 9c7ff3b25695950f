// A TestBrowser that follows redirects across origins (OP → RP → OP ...), with one cookie jar
// keyed by host name the way a real browser keeps it: cookies are not isolated by port, so the
// OP on localhost:3000 and two apps on localhost:4001/4002 all see each other's cookies (which is
// why the demo apps name their session cookies after themselves).
import { TestBrowser, type Page } from './browser.js';

interface StoredCookie {
  host: string;
  name: string;
  value: string;
  path: string;
}

export interface MultiOriginRequest {
  method?: string;
  form?: Record<string, string>;
  /** Stop before following a redirect to a URL this accepts (its page is returned unfetched). */
  stopAt?: (url: URL) => boolean;
}

export class MultiOriginBrowser extends TestBrowser {
  readonly jar = new Map<string, StoredCookie>();
  /** Every URL requested, in order (redirect hops included). */
  readonly history: string[] = [];

  constructor(start = 'http://localhost') {
    super(start);
  }

  #cookieHeader(url: URL): string {
    return [...this.jar.values()]
      .filter((c) => c.host === url.hostname && url.pathname.startsWith(c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  #store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) || '/';
      const expired =
        attrs.some((a) => /^max-age=(0|-)/i.test(a)) || attrs.some((a) => a.toLowerCase().startsWith('expires=') && Date.parse(a.slice(8)) < Date.now());
      const key = `${url.hostname} ${path} ${name}`;
      if (expired || value === '') this.jar.delete(key);
      else this.jar.set(key, { host: url.hostname, name, value, path });
    }
  }

  /** The value of a cookie for a host, whatever its path. */
  cookie(host: string, name: string): string | undefined {
    return [...this.jar.values()].find((c) => c.host === host && c.name === name)?.value;
  }

  override async request(url: string, init: MultiOriginRequest = {}): Promise<Page> {
    let target = new URL(url);
    let method = init.method ?? (init.form ? 'POST' : 'GET');
    let body: URLSearchParams | undefined = init.form ? new URLSearchParams(init.form) : undefined;
    for (let hops = 0; hops < 30; hops++) {
      this.history.push(target.toString());
      const response = await fetch(target, {
        method,
        body,
        redirect: 'manual',
        headers: { cookie: this.#cookieHeader(target), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      });
      this.#store(target, response);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        const next = new URL(location, target);
        if (init.stopAt?.(next)) return { url: next.toString(), status: response.status, html: '', headers: response.headers };
        // 307/308 keep the method and body; every other redirect becomes a GET.
        if (response.status !== 307 && response.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        target = next;
        continue;
      }
      return { url: target.toString(), status: response.status, html: await response.text(), headers: response.headers };
    }
    throw new Error(`too many redirects: ${this.history.slice(-5).join(' → ')}`);
  }
}
