import type { Clock } from '../domain/clock.js';
import type { Log } from '../domain/log.js';
import type { Store } from '../store/port.js';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: keeps each delete short (SQLite has one writer). */
const BATCH = 1000;
/** Statements per run at most; what is left goes in the next run. */
const MAX_BATCHES = 200;

/**
 * Periodic clean-up: ended rate-limit windows (login throttling, visitor registrations), and,
 * when MESSAGE_RETENTION_DAYS is set, messages older than that, delivered or not.
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
    let messages = 0;
    if (this.opts.retentionDays > 0) {
      const cutoff = now - this.opts.retentionDays * DAY_MS;
      for (let i = 0; i < MAX_BATCHES; i++) {
        const n = await this.store.messages.purgeBefore(cutoff, BATCH);
        messages += n;
        if (n < BATCH) break;
      }
      if (messages > 0) this.log.info({ messages, olderThanDays: this.opts.retentionDays }, 'expired messages deleted');
    }
    return { messages };
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
