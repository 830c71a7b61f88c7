import { sql, type Transaction } from 'kysely';
import type { DirectRunner } from './dialects/types.js';
import type { Database } from './schema.js';

/** Transactions of one batch at most: bounds how long one commit keeps callers waiting. */
const MAX_BATCH = 256;

interface Job {
  fn: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** Set while the batch runs. */
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/**
 * Group commit for a database with a single connection (SQLite). Every transaction asked for in
 * the same turn of the event loop runs inside one database transaction, each in its own
 * savepoint: a transaction that throws is rolled back to its savepoint alone and its caller gets
 * the error; the others commit together. Nobody hears "done" before the shared COMMIT has
 * returned, so an acknowledged write is as durable as with one commit each, and the commit's
 * cost (the WAL write) is paid once per batch instead of once per caller.
 *
 * `runBatch` is how the whole batch runs in one transaction (the caller adds its retry policy).
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly runBatch: (body: (trx: Transaction<Database>) => Promise<void>) => Promise<void>,
    /** Runs the savepoint statements straight on the connection when given. */
    private readonly direct?: DirectRunner,
  ) {}

  private async exec(
    trx: Transaction<Database>,
    statement: 'savepoint natter_tx' | 'release natter_tx' | 'rollback to natter_tx',
  ): Promise<void> {
    if (this.direct) this.direct(statement, []);
    else await sql.raw(statement).execute(trx);
  }

  run<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn: requests that arrived together commit together.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const jobs = this.queue.splice(0, MAX_BATCH);
    try {
      await this.runBatch(async (trx) => {
        for (const job of jobs) job.outcome = undefined;
        if (jobs.length === 1) {
          // Alone in its batch: its error rolls the whole transaction back, no savepoint needed.
          const job = jobs[0] as Job;
          job.outcome = { ok: true, value: await job.fn(trx) };
          return;
        }
        for (const job of jobs) {
          await this.exec(trx, 'savepoint natter_tx');
          try {
            const value = await job.fn(trx);
            await this.exec(trx, 'release natter_tx');
            job.outcome = { ok: true, value };
          } catch (error) {
            await this.exec(trx, 'rollback to natter_tx');
            await this.exec(trx, 'release natter_tx');
            job.outcome = { ok: false, error };
          }
        }
      });
      for (const job of jobs) {
        const o = job.outcome;
        if (o?.ok) job.resolve(o.value);
        else job.reject(o ? o.error : new Error('transaction did not run'));
      }
    } catch (error) {
      // The batch as a whole failed (commit, or a job alone in it): nothing of it was committed.
      for (const job of jobs) job.reject(error);
    } finally {
      this.scheduled = false;
      this.schedule();
    }
  }
}
