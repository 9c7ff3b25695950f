// How long a key is locked after its n-th failure, in the manner of Keycloak's brute-force
// detection: the first `maxFailures - 1` failures cost nothing, the next one locks for `lockout`,
// and every further failure while the count lasts doubles the lock, up to `lockoutMax`.
export interface LockoutPolicy {
  maxFailures: number;
  /** Milliseconds. */
  lockout: number;
  lockoutMax: number;
}

export function lockoutAfter(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.maxFailures) return 0;
  const doublings = Math.min(failures - policy.maxFailures, 30);
  return Math.min(policy.lockout * 2 ** doublings, policy.lockoutMax);
}
