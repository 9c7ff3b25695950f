// Changes that instances must hear about at once: a client rotated or deleted, an account
// disabled, a key revoked. Whoever makes the change announces it: a counter per topic goes up (the
// `change_signal` table, which every instance polls), and on PostgreSQL a NOTIFY reaches every
// instance listening right away. A missed notification (a dropped listener) is caught by the poll.
import pg from 'pg';
import type { Database } from './database.js';

export const CHANGE_TOPICS = ['clients', 'accounts', 'keys'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

const CHANNEL = 'sesame_changes';
const isTopic = (value: string): value is ChangeTopic => (CHANGE_TOPICS as readonly string[]).includes(value);

export interface ChangeAnnouncer {
  /** Tells every instance (this one included) that `topic` changed. */
  announce(topic: ChangeTopic): Promise<void>;
}

export interface ChangeFeed extends ChangeAnnouncer {
  /** Each topic's counter, as the poll reads it. */
  versions(): Promise<Map<ChangeTopic, number>>;
  /**
   * Hears announcements as they happen (PostgreSQL); resolves to a function that stops listening.
   * On SQLite (one instance, and a CLI in another process) the poll is all there is.
   */
  listen(onChange: (topic: ChangeTopic) => void, onError: (error: unknown) => void): Promise<() => Promise<void>>;
}

export function createChangeFeed(db: Database, url: string): ChangeFeed {
  const { prisma } = db;
  return {
    async announce(topic) {
      if (db.provider === 'postgresql') {
        // The counter and the notification in one statement (one round trip); NOTIFY is delivered at commit.
        await prisma.$queryRaw`
          WITH bumped AS (
            INSERT INTO "change_signal" ("topic", "version") VALUES (${topic}, 1)
            ON CONFLICT ("topic") DO UPDATE SET "version" = "change_signal"."version" + 1
            RETURNING "version")
          SELECT pg_notify(${CHANNEL}, ${topic})::text FROM bumped`;
        return;
      }
      await prisma.$executeRaw`
        INSERT INTO "change_signal" ("topic", "version") VALUES (${topic}, 1)
        ON CONFLICT ("topic") DO UPDATE SET "version" = "change_signal"."version" + 1`;
    },

    async versions() {
      const rows = await prisma.changeSignal.findMany();
      return new Map(rows.filter((r) => isTopic(r.topic)).map((r) => [r.topic as ChangeTopic, r.version]));
    },

    async listen(onChange, onError) {
      if (db.provider !== 'postgresql') return async () => {};
      // LISTEN holds a connection for good: its own, not one of the pool's.
      const client = new pg.Client({ connectionString: url });
      client.on('error', onError);
      client.on('notification', (message) => {
        if (message.channel === CHANNEL && message.payload && isTopic(message.payload)) onChange(message.payload);
      });
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      return async () => {
        await client.end().catch(() => {});
      };
    },
  };
}
