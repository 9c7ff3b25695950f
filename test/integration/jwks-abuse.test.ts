// /jwks under abuse: one source address refetching in a storm (an RP looping on a kid it does not
// know) is answered from memory, and past JWKS_RATE_LIMIT gets 429 with Retry-After, while another
// source's fetches keep succeeding promptly. The source is set through X-Forwarded-For behind a
// trusted proxy (TRUST_PROXY=1), as in throttling.test.ts.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSesame, type TestSesame } from '../helpers/sesame.js';

const STORM = 10_000;
const IN_FLIGHT = 50;
const LIMIT = 600; // JWKS_RATE_LIMIT's default

describe('/jwks under a storm from one source', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame({ env: { TRUST_PROXY: '1' }, countStatements: true });
  });
  afterAll(async () => sesame?.close());

  // node:http with keep-alive: fetch() costs this process more CPU per request than the server does.
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT + 1 });
  afterAll(() => agent.destroy());
  const get = (from: string, userAgent: string) =>
    new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
      const req = request(`${sesame.issuer}/jwks`, { agent, headers: { 'x-forwarded-for': from, 'user-agent': userAgent } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  it(`limits ${STORM} requests from one address while another address is served promptly`, async () => {
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    let sent = 0;
    let stormDone = false;
    const stormer = async () => {
      while (sent < STORM) {
        sent++;
        const response = await get('198.51.100.66', 'looping-rp/1.0 (unknown kid)');
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 429) retryAfter ??= response.retryAfter ?? null;
      }
    };
    // Meanwhile another RP fetches now and then, and times each fetch.
    const latencies: number[] = [];
    const otherStatuses: number[] = [];
    const bystander = async () => {
      while (!stormDone) {
        const started = performance.now();
        const response = await get('203.0.113.5', 'well-behaved-rp/2.0');
        latencies.push(performance.now() - started);
        otherStatuses.push(response.status);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const statementsBefore = sesame.container.db.statements();
    const started = performance.now();
    const watching = bystander();
    await Promise.all(Array.from({ length: IN_FLIGHT }, stormer));
    const stormMs = performance.now() - started;
    stormDone = true;
    await watching;
    // Served from memory: the database saw the instance's own polls and a flush every 5 s, not the requests.
    const statements = sesame.container.db.statements() - statementsBefore;
    expect(statements).toBeLessThan(5 + Math.ceil(stormMs / 1000) * 4);

    expect(statuses.get(200)).toBe(LIMIT);
    expect(statuses.get(429)).toBe(STORM - LIMIT);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(otherStatuses.length).toBeGreaterThan(5);
    expect(otherStatuses.every((status) => status === 200)).toBe(true);
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)]!;
    const worst = latencies.at(-1)!;
    console.log(
      `jwks storm: ${STORM} requests in ${Math.round(stormMs)} ms (${Math.round(STORM / (stormMs / 1000))}/s), ` +
        `other source: ${latencies.length} fetches, p50 ${p50.toFixed(1)} ms, worst ${worst.toFixed(1)} ms; ${statements} database statements meanwhile`,
    );
    // Promptly: queued behind at most the storm's requests in flight, never behind the storm itself.
    expect(worst).toBeLessThan(1000);

    // The storm was counted (by status), and the limited source is one fetcher, not ten thousand.
    const scrape = await (await fetch(`${sesame.issuer}/metrics`)).text();
    expect(scrape).toContain(`sesame_jwks_requests_total{status="429"} ${STORM - LIMIT}`);
    await sesame.container.jwksWatch.tally.flush();
    expect(await sesame.container.db.prisma.jwksFetcher.count()).toBe(2);
  });
});
