// A client's allowed_groups (per-app access rules) in its metadata: stored de-duplicated, absent
// when empty, names checked with the group name rule, only for clients that sign people in, and
// never through dynamic registration.
import { describe, expect, it } from 'vitest';
import { buildClientMetadata } from '../../src/domain/clients/client-metadata.js';
import { parseDynamicRegistration } from '../../src/domain/clients/registration.js';
import { checkGroupName } from '../../src/domain/groups/group-name.js';

const POLICY = { signingAlgs: ['RS256'], issuer: 'https://id.example.com' };
const APP = { client_name: 'Grafana', redirect_uris: ['https://grafana.example.com/login/generic_oauth'] };

describe('allowed_groups', () => {
  it('is stored de-duplicated, and left out when empty', () => {
    expect(buildClientMetadata({ ...APP, allowed_groups: ['ops', 'sre', 'ops'] }, POLICY).allowed_groups).toEqual(['ops', 'sre']);
    expect(buildClientMetadata({ ...APP, allowed_groups: [] }, POLICY)).not.toHaveProperty('allowed_groups');
  });

  it('refuses a name that breaks the rule, saying the rule', () => {
    expect(() => buildClientMetadata({ ...APP, allowed_groups: ['ops', 'no spaces'] }, POLICY)).toThrow(
      'allowed_groups: group name "no spaces" is not valid; use 1 to 64 characters: letters, digits, and - _ . :',
    );
    expect(() => buildClientMetadata({ ...APP, allowed_groups: Array.from({ length: 51 }, (_, i) => `g${i}`) }, POLICY)).toThrow('at most 50 groups');
  });

  it('needs a client that signs people in', () => {
    expect(() => buildClientMetadata({ client_name: 'Machine', grant_types: ['client_credentials'], allowed_groups: ['ops'] }, POLICY)).toThrow(
      'allowed_groups needs the authorization_code grant',
    );
  });

  it('cannot come from dynamic registration', () => {
    expect(() => parseDynamicRegistration({ ...APP, allowed_groups: ['ops'] })).toThrow('allowed_groups cannot be registered dynamically');
  });

  it('group names: letters, digits and - _ . :, 1 to 64 characters', () => {
    for (const good of ['ops', 'media:viewers', 'team-a_b.c', 'x'.repeat(64)]) expect(checkGroupName(good)).toBe(good);
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', 'é', 'a\u0000b']) expect(() => checkGroupName(bad)).toThrow(/is not valid/);
  });
});
