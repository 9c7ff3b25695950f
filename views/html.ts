// A tiny escaping template tag. `html\`...\`` escapes every interpolated value unless it is
// already SafeHtml, so printing user or client data safely is the default rather than a habit.
//
//   html`<p>Hello ${name}</p>`            name is escaped
//   html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`   arrays are joined
//   html`${error && html`<p>${error}</p>`}`                   false/null/undefined print nothing
//
// The escaping covers text and quoted attribute values (always quote attributes). It does not
// make a value safe inside <script>, <style>, event handlers or unquoted attributes; the pages
// have none of those (the CSP forbids inline script and style anyway).

// Assigned by SafeHtml's static block: the constructor is private, so only this module mints SafeHtml.
let makeSafe: (markup: string) => SafeHtml;

/** Markup that is safe to insert as-is. Only this module can create one. */
export class SafeHtml {
  readonly #html: string;

  private constructor(markup: string) {
    this.#html = markup;
  }

  static {
    makeSafe = (markup) => new SafeHtml(markup);
  }

  toString(): string {
    return this.#html;
  }
}

/** What may be interpolated. `false`, null and undefined print nothing (for `cond && html\`\``). */
export type HtmlValue = string | number | bigint | SafeHtml | false | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes & < > " ' and the backtick (old IE treated it as an attribute quote). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => ENTITIES[ch] ?? ch);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return makeSafe(out);
}

/**
 * Marks a string as trusted markup without escaping it. Only for markup that does not come from
 * a user or a client: constant fragments, or HTML built by a trusted library (oidc-provider's
 * logout form, which it assembles from its own URL and a random secret). Never pass request data.
 */
export function raw(markup: string): SafeHtml {
  return makeSafe(markup);
}

export function isSafeHtml(value: unknown): value is SafeHtml {
  return value instanceof SafeHtml;
}
