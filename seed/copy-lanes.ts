// COPY over one or more connections ("lanes"): chunks go round-robin, so the server parses and
// inserts on as many backends as there are lanes while one generator feeds them in row order.
// The caller's own connection is lane 0, inside the caller's transaction. Extra lanes are
// connections of their own, each in its own transaction: the caller commits them just before
// its own COMMIT and, if anything fails after that, deletes what they committed
// (seed.ts: removeLaneWallets), under the prefix lock it holds for the whole seed.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

// Bytes buffered per lane ahead of its socket: rows keep being generated while a backend parses.
const LANE_BUFFER_BYTES = 4 << 20;

export interface ExtraLanes {
  clients: pg.Client[];
  /** Commits every extra lane; on a failure rolls back the ones not committed yet, then throws. */
  commit(): Promise<void>;
  /** Rolls back every extra lane (nothing they copied stays). */
  abort(): Promise<void>;
}

/** `count` extra connections, each in an open transaction. */
export async function openExtraLanes(connect: () => Promise<pg.Client>, count: number): Promise<ExtraLanes> {
  const clients: pg.Client[] = [];
  const endAll = async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  };
  const abort = async () => {
    await Promise.all(clients.map((c) => c.query('ROLLBACK').catch(() => {})));
    await endAll();
  };
  try {
    for (let i = 0; i < count; i++) {
      const c = await connect();
      clients.push(c);
      await c.query('BEGIN');
    }
  } catch (err) {
    await abort();
    throw err;
  }
  return {
    clients,
    abort,
    async commit() {
      let committed = 0;
      try {
        for (const c of clients) {
          await c.query('COMMIT');
          committed++;
        }
      } catch (err) {
        await Promise.all(clients.slice(committed).map((c) => c.query('ROLLBACK').catch(() => {})));
        throw err;
      } finally {
        await endAll();
      }
    },
  };
}

/**
 * Streams `chunks` (COPY text) round-robin over one `COPY ... FROM STDIN` per client; resolves
 * with the rows copied in total. On any failure every lane's COPY is cancelled (CopyFail) before
 * the error is rethrown; the lanes' transactions are the callers' to roll back.
 */
export async function copyOverLanes(clients: readonly pg.ClientBase[], copySql: string, chunks: AsyncIterable<Buffer>): Promise<number> {
  const lanes = clients.map((client) => {
    const input = new PassThrough({ highWaterMark: LANE_BUFFER_BYTES });
    const copy = client.query(copyFrom(copySql));
    return { input, copy, done: pipeline(input, copy) };
  });
  // Rejects as soon as any lane fails, so a wait for another lane's drain cannot hang.
  const anyFailed = new Promise<never>((_, reject) => {
    for (const lane of lanes) lane.done.catch(reject);
  });
  anyFailed.catch(() => {});
  try {
    let next = 0;
    for await (const chunk of chunks) {
      const lane = lanes[next++ % lanes.length]!;
      if (!lane.input.write(chunk)) await Promise.race([once(lane.input, 'drain'), anyFailed]);
    }
    for (const lane of lanes) lane.input.end();
    await Promise.race([Promise.all(lanes.map((l) => l.done)), anyFailed]);
    return lanes.reduce((sum, lane) => sum + (lane.copy.rowCount ?? 0), 0);
  } catch (err) {
    for (const lane of lanes) lane.input.destroy(err instanceof Error ? err : new Error(String(err)));
    await Promise.allSettled(lanes.map((l) => l.done));
    throw err;
  }
}
