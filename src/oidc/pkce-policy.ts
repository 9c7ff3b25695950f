// oidc-provider's `pkce.required`: whether an authorization request without a code_challenge is
// refused. Public clients always need PKCE; confidential ones unless an administrator turned
// `require_pkce` off for them (the client service sets it on every client as it applies).
//
// The provider asks only about a code request that carries no code_challenge, and then refuses it
// with "Authorization Server policy requires PKCE to be used for this request". The refusal is
// thrown here instead, so that the RP's developer reads which setting decided it and what to do.
import { errors, type Client, type KoaContextWithOIDC } from 'oidc-provider';

const SEND_PKCE = 'send code_challenge with code_challenge_method=S256';

export function pkceRequired(_ctx: KoaContextWithOIDC, client: Client): boolean {
  if (client.clientAuthMethod === 'none') {
    throw new errors.InvalidRequest(`PKCE is required for public clients: ${SEND_PKCE}`);
  }
  if (client['require_pkce'] === false) return false;
  throw new errors.InvalidRequest(
    `PKCE is required for this client (require_pkce): ${SEND_PKCE}, or have an administrator turn require_pkce off for this confidential client`,
  );
}
