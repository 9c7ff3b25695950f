// Every kind of per-app claim, in order (a name an earlier source gives stays its): what the
// provider issues (oidc/provider.ts) and what an explanation of access (domain/access/explain.ts)
// shows, from this one list.
import { appClaims, extraClaimsSource, type ClaimSource } from './app-claims.js';
import type { ExtraClaims } from './extra-claims.js';
import { groupsClaimSource, type GroupsClaim } from './groups-claim.js';

export interface ClaimSourceDeps {
  clients: { extraClaims(clientId: string): Promise<ExtraClaims | undefined>; groupsClaim(clientId: string): Promise<GroupsClaim | undefined> };
  groups?: { groupsOf(userId: string): Promise<{ name: string }[]> } | undefined;
}

export function appClaimsOf({ clients, groups }: ClaimSourceDeps): ClaimSource {
  return appClaims([
    extraClaimsSource((clientId) => clients.extraClaims(clientId)),
    ...(groups
      ? [
          groupsClaimSource(
            (clientId) => clients.groupsClaim(clientId),
            async (userId) => (await groups.groupsOf(userId)).map((group) => group.name),
          ),
        ]
      : []),
  ]);
}
