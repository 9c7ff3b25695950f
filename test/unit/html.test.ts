import { describe, expect, it } from 'vitest';
import { escapeHtml, html, isSafeHtml, raw, SafeHtml } from '../../views/html.js';

describe('html template tag', () => {
  it('escapes & < > " \' and the backtick in interpolated values', () => {
    expect(escapeHtml(`&<>"'\``)).toBe('&amp;&lt;&gt;&quot;&#39;&#96;');
    expect(html`<p>${`&<>"'\``}</p>`.toString()).toBe('<p>&amp;&lt;&gt;&quot;&#39;&#96;</p>');
  });

  it('neutralises a script tag', () => {
    const out = html`<p>${'<script>alert(1)</script>'}</p>`.toString();
    expect(out).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(out).not.toContain('<script');
  });

  it('cannot break out of a quoted attribute', () => {
    const hostile = '" autofocus onfocus="alert(1)';
    const out = html`<input value="${hostile}">`.toString();
    expect(out).toBe('<input value="&quot; autofocus onfocus=&quot;alert(1)">');
    const single = html`<input value='${"' onmouseover='x"}'>`.toString();
    expect(single).toBe("<input value='&#39; onmouseover=&#39;x'>");
  });

  it('does not double-escape SafeHtml, and escapes plain strings that look like markup', () => {
    const inner = html`<b>${'a & b'}</b>`;
    expect(html`<p>${inner}</p>`.toString()).toBe('<p><b>a &amp; b</b></p>');
    expect(html`<p>${'<b>x</b>'}</p>`.toString()).toBe('<p>&lt;b&gt;x&lt;/b&gt;</p>');
  });

  it('joins arrays, escaping each plain element and passing SafeHtml through', () => {
    const items = ['<i>', html`<li>ok</li>`, 'a"b'];
    expect(html`<ul>${items}</ul>`.toString()).toBe('<ul>&lt;i&gt;<li>ok</li>a&quot;b</ul>');
    expect(html`<ul>${['x', 'y'].map((v) => html`<li>${v}</li>`)}</ul>`.toString()).toBe('<ul><li>x</li><li>y</li></ul>');
    expect(html`${[['<', ['>']]]}`.toString()).toBe('&lt;&gt;');
  });

  it('renders null, undefined and false as nothing; numbers as text', () => {
    expect(html`[${null}|${undefined}|${false}|${0}|${12n}]`.toString()).toBe('[|||0|12]');
    const show = false as boolean;
    expect(html`${show && html`<p>hidden</p>`}`.toString()).toBe('');
  });

  it('raw() passes trusted markup unchanged and SafeHtml cannot be forged', () => {
    const trusted = raw('<form id="f"></form>');
    expect(isSafeHtml(trusted)).toBe(true);
    expect(html`${trusted}`.toString()).toBe('<form id="f"></form>');
    // A look-alike object is not SafeHtml: it is stringified and escaped.
    const fake = { toString: () => '<script>' } as unknown as SafeHtml;
    expect(isSafeHtml(fake)).toBe(false);
    expect(html`${fake}`.toString()).toBe('&lt;script&gt;');
  });

  it('leaves the literal template parts alone', () => {
    expect(html`<a href="/x?a=1&amp;b=2">${'link'}</a>`.toString()).toBe('<a href="/x?a=1&amp;b=2">link</a>');
  });
});
