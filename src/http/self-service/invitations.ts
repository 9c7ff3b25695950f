// /invitation: the page an invitation mail's link opens, where the invited person chooses their
// password (link-pages.ts). Sending invitations is the admins' (CLI, admin API, console).
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { InvitationService } from '../../domain/accounts/invitations.js';
import { LINK_PATHS } from '../../domain/accounts/link-mail.js';
import { mountLinkPages } from './link-pages.js';

export function createInvitationRouter({ invitations }: { invitations: InvitationService }): Router {
  const router = new Router();
  mountLinkPages(router, {
    kind: 'invitation',
    path: LINK_PATHS.invitation,
    parseBody: bodyParser({ enableTypes: ['form'], formLimit: '16kb' }),
    peek: (token) => invitations.peek(token),
    complete: async (token, password, from) => (await invitations.accept(token, password, from)) !== undefined,
  });
  return router;
}
