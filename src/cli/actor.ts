// Who the CLI is in the audit log: `cli:<the operating-system account that ran it>`, or `cli` when
// there is none to name. It has no source address: it works on the database directly.
import { userInfo } from 'node:os';
import type { By } from '../domain/audit/actions.js';

function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

export function cliBy(): By {
  const user = osUser();
  return { actor: user ? `cli:${user}` : 'cli' };
}
