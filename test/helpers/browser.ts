// A minimal browser for driving the sign-in pages over plain HTTP: a cookie jar (host-wide, path
// aware, like a browser on localhost), manual redirects that stop at the first URL outside the
// issuer (the RP's callback), and form submission that reads the page's own hidden fields.
export interface Page {
  url: string;
  status: number;
  html: string;
  headers: Headers;
}

interface Cookie {
  value: string;
  path: string;
}

export class TestBrowser {
  readonly cookies = new Map<string, Cookie>();

  /** `headers` go with every request (an X-Forwarded-For through a trusted proxy, say). */
  constructor(
    private readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** The Cookie header this browser sends to `url`. */
  cookieHeader(url: URL): string {
    return [...this.cookies]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  #store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired =
        attrs.some((a) => /^max-age=(0|-)/i.test(a)) || attrs.some((a) => a.toLowerCase().startsWith('expires=') && Date.parse(a.slice(8)) < Date.now());
      const key = name;
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { value, path });
    }
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let target = new URL(url, this.origin);
    let method = init.method ?? (init.form ? 'POST' : 'GET');
    let body: URLSearchParams | undefined = init.form ? new URLSearchParams(init.form) : undefined;
    for (let hops = 0; hops < 20; hops++) {
      const response = await fetch(target, {
        method,
        body,
        redirect: 'manual',
        headers: {
          ...this.headers,
          cookie: this.cookieHeader(target),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
      this.#store(response);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, target);
        await response.arrayBuffer();
        if (next.origin !== new URL(this.origin).origin) {
          return { url: next.toString(), status: response.status, html: '', headers: response.headers };
        }
        target = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: target.toString(), status: response.status, html: await response.text(), headers: response.headers };
    }
    throw new Error('too many redirects');
  }

  /** The form whose action contains `actionPart`: where it posts, and its hidden fields plus `fields`. */
  form(page: Page, actionPart: string, fields: Record<string, string> = {}): { action: string; fields: Record<string, string> } {
    const forms = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => (attr(f[1]!, 'action') ?? '').includes(actionPart));
    if (!form) throw new Error(`no form posting to ${actionPart} on ${page.url}:\n${page.html}`);
    const hidden: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input\b([^>]*)>/g)) {
      if (attr(input[1]!, 'type') === 'hidden') hidden[attr(input[1]!, 'name')!] = attr(input[1]!, 'value') ?? '';
    }
    const action = new URL(decode(attr(form[1]!, 'action')!), page.url).toString();
    return { action, fields: { ...hidden, ...fields } };
  }

  /** Submits the form whose action contains `actionPart`, with its hidden fields plus `fields`. */
  submit(page: Page, actionPart: string, fields: Record<string, string> = {}): Promise<Page> {
    const { action, fields: all } = this.form(page, actionPart, fields);
    return this.request(action, { form: all });
  }
}

function decode(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function attr(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  return match ? decode(match[1]!) : undefined;
}
