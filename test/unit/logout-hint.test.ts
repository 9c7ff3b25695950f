import { describe, expect, it } from 'vitest';
import { withoutUnverifiableHint } from '../../src/oidc/logout-hint.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An unsigned stand-in: only the header and payload are ever decoded here. */
const jwt = (header: object, payload: object) => `${b64({ alg: 'RS256', ...header })}.${b64(payload)}.c2ln`;
const KIDS = new Set(['live-1', 'live-2']);
const run = (params: Record<string, string> | [string, string][]) => withoutUnverifiableHint(new URLSearchParams(params), KIDS);

describe('withoutUnverifiableHint', () => {
  it('keeps a hint signed by a key the provider holds', () => {
    const hint = jwt({ kid: 'live-2' }, { aud: 'app' });
    const { params, ignored } = run({ id_token_hint: hint, state: 's' });
    expect(ignored).toBeUndefined();
    expect(params.get('id_token_hint')).toBe(hint);
  });

  it('drops a hint whose key is gone and keeps the request’s client_id', () => {
    const { params, ignored } = run({
      id_token_hint: jwt({ kid: 'gone' }, { aud: 'other' }),
      client_id: 'app',
      state: 's',
      post_logout_redirect_uri: 'https://app/out',
    });
    expect(ignored).toEqual({ kid: 'gone', clientId: 'app', clientIdFrom: 'client_id' });
    expect(Object.fromEntries(params)).toEqual({ client_id: 'app', state: 's', post_logout_redirect_uri: 'https://app/out' });
  });

  it('names the client from the hint’s single aud when the request has no client_id', () => {
    for (const aud of ['app', ['app']]) {
      const { params, ignored } = run({ id_token_hint: jwt({ kid: 'gone' }, { aud }) });
      expect(ignored).toEqual({ kid: 'gone', clientId: 'app', clientIdFrom: 'id_token_hint aud' });
      expect(Object.fromEntries(params)).toEqual({ client_id: 'app' });
    }
  });

  it('names no client when the aud does not name exactly one', () => {
    for (const payload of [{ aud: ['a', 'b'] }, {}, { aud: 7 }]) {
      const { params, ignored } = run({ id_token_hint: jwt({ kid: 'gone' }, payload) });
      expect(ignored).toEqual({ kid: 'gone' });
      expect([...params]).toEqual([]);
    }
  });

  it('leaves to the provider what it must refuse or may accept: no kid, not a JWT, duplicates', () => {
    for (const params of [
      { id_token_hint: jwt({}, { aud: 'app' }) },
      { id_token_hint: 'not a jwt' },
      [
        ['id_token_hint', jwt({ kid: 'gone' }, {})],
        ['id_token_hint', jwt({ kid: 'gone' }, {})],
      ] as [string, string][],
      { client_id: 'app' },
    ] as (Record<string, string> | [string, string][])[]) {
      const before = new URLSearchParams(params).toString();
      const { params: after, ignored } = run(params);
      expect(ignored).toBeUndefined();
      expect(after.toString()).toBe(before);
    }
  });
});
