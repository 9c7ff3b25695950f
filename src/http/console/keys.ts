// /admin/keys: the signing keys, rotating them (a refusal the rules would let a force override
// offers that as a second, deliberate step), and revoking one after a confirmation page.
import type { Services } from '../../services.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { consoleMessage } from '../../../views/console/layout.js';
import { forceRotationPage, keysPage, revokeKeyPage } from '../../../views/console/keys.js';
import { KeyChangeRefused } from '../../domain/keys/key-service.js';
import { by, frame, seeOther, send, type ConsoleRoutes } from './context.js';
import { bodyOf, checked, field } from './form.js';
import { setFlash } from './session.js';

export function keyRoutes({ router, get, post }: ConsoleRoutes, { keys, config, jwksWatch }: Pick<Services, 'keys' | 'config' | 'jwksWatch'>): void {
  router.get('/admin/keys', ...get, async (ctx) => {
    const [list, pickup] = await Promise.all([keys.list(), jwksWatch.status()]);
    send(ctx, keysPage(frame(ctx), list, [...config.signingAlgs, ...config.encryptionAlgs], pickup));
  });

  router.post('/admin/keys/rotate', ...post, async (ctx) => {
    const body = bodyOf(ctx);
    const alg = field(body, 'alg') || undefined;
    const force = checked(body, 'force');
    try {
      const changes = await keys.rotate({ ...(alg ? { alg } : {}), force }, by(ctx));
      setFlash(ctx, changes.length ? `Rotated: ${changes.map((c) => `${c.kid} ${c.kind}d`).join(', ')}.` : 'Nothing to rotate.');
    } catch (error) {
      if (error instanceof KeyChangeRefused && error.forceable && !force) {
        send(ctx, forceRotationPage(frame(ctx), error.message, alg), 409);
        return;
      }
      if (!(error instanceof ConflictError || error instanceof ValidationError)) throw error;
      setFlash(ctx, `Rotation refused: ${error.message}`, 'error');
    }
    seeOther(ctx, '/admin/keys');
  });

  router.get('/admin/keys/:kid/revoke', ...get, async (ctx) => {
    const key = (await keys.list()).find((k) => k.kid === ctx.params.kid && k.state !== 'revoked');
    if (!key) {
      send(ctx, consoleMessage('Key not found', 'There is no such key, or it is already revoked.', { href: '/admin/keys', label: 'Signing keys' }), 404);
      return;
    }
    send(ctx, revokeKeyPage(frame(ctx), key));
  });

  router.post('/admin/keys/:kid/revoke', ...post, async (ctx) => {
    const kid = String(ctx.params.kid);
    const revokeGrants = checked(bodyOf(ctx), 'revoke_grants');
    try {
      const result = await keys.revoke(kid, { revokeGrants }, by(ctx));
      const done = `Revoked ${kid}${result.revokedGrants !== undefined ? `; ended ${result.revokedGrants} sessions, grants and tokens` : ''}.`;
      // A warning (a next key promoted before every RP may hold it) is what the operator must see.
      setFlash(ctx, result.warnings.length > 0 ? `${done} Warning: ${result.warnings.join(' ')}` : done, result.warnings.length > 0 ? 'error' : 'ok');
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof ConflictError)) throw error;
      setFlash(ctx, `Not revoked: ${error.message}`, 'error');
    }
    seeOther(ctx, '/admin/keys');
  });
}
