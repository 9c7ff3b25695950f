// Routers dispatched by the path's first segment answer exactly as routers mounted one after the
// other did: the same routes, regardless of case, the same 405s, the same order, and everything
// else falls through to what comes after them (the provider).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstSegments, routersBySegment } from '../../src/http/route-gate.js';

function routers(): Router[] {
  const health = new Router();
  health.get('/healthz', (ctx) => void (ctx.body = 'health'));
  const admin = new Router({ prefix: '/admin/api' });
  admin.use(async (ctx, next) => {
    ctx.set('X-Admin', 'yes');
    await next();
  });
  admin.get('/users/:id', (ctx) => void (ctx.body = `user ${ctx.params.id}`));
  const console = new Router();
  console.get('/admin', (ctx) => void (ctx.body = 'console'));
  console.get('/admin/api/users/:id', (ctx) => void (ctx.body = 'shadowed'));
  const pattern = new Router();
  pattern.get('/:page.html', (ctx) => void (ctx.body = `page ${ctx.params.page}`));
  return [health, admin, console, pattern];
}

describe('firstSegments', () => {
  it('reads each router’s literal first segments, and none where a route begins with a parameter', () => {
    const [health, admin, console, pattern] = routers();
    expect(firstSegments(health!)).toEqual(new Set(['healthz']));
    expect(firstSegments(admin!)).toEqual(new Set(['admin']));
    expect(firstSegments(console!)).toEqual(new Set(['admin']));
    expect(firstSegments(pattern!)).toBeUndefined();
  });
});

describe('routersBySegment', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = new Koa();
    app.use(routersBySegment(routers()));
    // What comes after answers GETs only: a POST nobody answers is left to the routers' 405.
    app.use((ctx) => {
      if (ctx.method === 'GET') ctx.body = `after ${ctx.path}`;
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = async (path: string, method = 'GET') => {
    const response = await fetch(base + path, { method });
    return { status: response.status, body: await response.text(), admin: response.headers.get('x-admin'), allow: response.headers.get('allow') };
  };

  it('answers each router’s routes, whatever the case of the path', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'health' });
    expect(await get('/HEALTHZ')).toMatchObject({ status: 200, body: 'health' });
    expect(await get('/admin')).toMatchObject({ status: 200, body: 'console' });
  });

  it('keeps the order: the first router with a matching route answers, with its own middleware', async () => {
    expect(await get('/admin/api/users/7')).toEqual({ status: 200, body: 'user 7', admin: 'yes', allow: null });
  });

  it('answers a wrong method on a route with 405 and its Allow header', async () => {
    expect(await get('/healthz', 'POST')).toMatchObject({ status: 405, allow: 'HEAD, GET' });
  });

  it('offers every path to a router whose route begins with a parameter', async () => {
    expect(await get('/about.html')).toMatchObject({ status: 200, body: 'page about' });
    expect(await get('/admin.html')).toMatchObject({ status: 200, body: 'page admin' });
  });

  it('hands everything no router answers to what comes after', async () => {
    expect(await get('/token')).toMatchObject({ status: 200, body: 'after /token' });
    expect(await get('/.well-known/openid-configuration')).toMatchObject({ status: 200, body: 'after /.well-known/openid-configuration' });
    expect(await get('/admin/elsewhere')).toMatchObject({ status: 200, body: 'after /admin/elsewhere' });
    expect(await get('/healthz/more')).toMatchObject({ status: 200, body: 'after /healthz/more' });
  });
});
