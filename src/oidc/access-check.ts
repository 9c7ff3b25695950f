// Per-app access rules in the provider's interaction policy: after `login` (the person is known)
// and before `consent`, an `access` prompt whose check refuses a person outside the client's
// allowed_groups (src/domain/groups/access.ts). The sign-in pages answer it with "You don't have
// access" (src/http/interactions/router.ts); prompt=none gets access_denied at the redirect URI
// instead. No code is issued either way: the authorization request never gets past the policy.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccessRules } from '../domain/groups/access.js';

export const ACCESS_PROMPT = 'access';
export const ACCESS_CHECK = 'not_in_allowed_groups';

export function withAccessRules(prompts: interactionPolicy.Prompt[], access: AccessRules | undefined): interactionPolicy.Prompt[] {
  if (!access) return prompts;
  const check = new interactionPolicy.Check(
    ACCESS_CHECK,
    'the user is not allowed to use this application',
    'access_denied',
    async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const refusal = await access.refusal(clientId, accountId);
      if (!refusal) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const context = ctx.oidc.promptPending('none') ? 'prompt_none' : 'sign_in';
      await access.denied(accountId, clientId, context, refusal, { actor: `user:${accountId}`, sourceAddress: ctx.ip });
      return interactionPolicy.Check.REQUEST_PROMPT;
    },
  );
  const policy = prompts as interactionPolicy.Prompt[] & { add(prompt: interactionPolicy.Prompt, index?: number): void };
  const afterLogin = prompts.findIndex((prompt) => prompt.name === 'login') + 1;
  policy.add(new interactionPolicy.Prompt({ name: ACCESS_PROMPT, requestable: false }, check), afterLogin);
  return prompts;
}
