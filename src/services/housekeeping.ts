import type { Clock } from '../domain/clock.js';
import type { Log } from '../domain/log.js';
import type { Store } from '../store/port.js';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: keeps each delete short (SQLite has one writer). */
const BATCH = 1000;
/** Statements per run at most; what is left goes in the next run. */
const MAX_BATCHES = 200;
/** How long the client id of a WebSocket send is remembered (a resend within it stores nothing twice). */
export const RECEIPT_TTL_MS = DAY_MS;

/**
 * Periodic clean-up: ended rate-limit windows (login throttling, visitor registrations), client
 * ids of WebSocket sends older than a day, and, when MESSAGE_RETENTION_DAYS is set, messages
 * older than that, delivered or not. Receipts go first: none outlives its message (retention is
 * at least a day).
 */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly opts: { retentionDays: number },
  ) {}

  /** One pass; returns the number of messages deleted. */
  async run(): Promise<{ messages: number }> {
    const now = this.clock.now();
    await this.store.rates.purge(now);
    await this.purge((limit) => this.store.receipts.purgeBefore(now - RECEIPT_TTL_MS, limit));
    let messages = 0;
    if (this.opts.retentionDays > 0) {
      const cutoff = now - this.opts.retentionDays * DAY_MS;
      messages = await this.purge((limit) => this.store.messages.purgeBefore(cutoff, limit));
      if (messages > 0) this.log.info({ messages, olderThanDays: this.opts.retentionDays }, 'expired messages deleted');
    }
    return { messages };
  }

  /** Deletes in batches of BATCH rows, at most MAX_BATCHES of them; returns how many rows went. */
  private async purge(batch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await batch(BATCH);
      total += n;
      if (n < BATCH) break;
    }
    return total;
  }

  /** Runs a pass now and then every `intervalMs`; a failed pass is logged and tried again next time. */
  start(intervalMs: number): void {
    const pass = () => {
      this.running = this.run().catch((err: unknown) => this.log.error({ err }, 'housekeeping failed'));
    };
    pass();
    this.timer = setInterval(pass, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
