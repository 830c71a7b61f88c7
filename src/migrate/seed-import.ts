import { EMPTY_PROFILE } from '../domain/user.js';
import type { ImportTarget, Row, SeedTable } from '../store/import-target.js';
import { OfflineCopy } from './offline-messages.js';
import type { ImportOptions, ImportReport, Progress, Sources, TableSummary } from './report.js';
import type { Clock } from './seed-rows.js';
import { SPECS, same, type TableSpec } from './seed-tables.js';

export type { ImportOptions, ImportReport, Problem, Sources, TableSummary } from './report.js';

/**
 * Copies a seed deployment into Natter's database: the six tables with their ids, then the
 * waiting offline messages. Idempotent: a row whose id is already there with the same identity
 * (username, uuid, pair of users…) is skipped, an offline message whose id its recipient's
 * stream already holds is skipped, and nothing already in Natter is changed. Each batch is one
 * transaction, so a run that stops half-way leaves whole batches and a second run completes it.
 */

export class SeedImport {
  private readonly report: ImportReport;
  /** Ids present in Natter after this run (written or found there): what other rows may point to. */
  private readonly present = { users: new Set<number>(), groups: new Set<number>() };
  /** Unique keys claimed in this run, per table and key: the id that holds it. */
  private readonly claimed = new Map<string, number>();
  private readonly clock: Clock;
  /** The highest id the seed has in each table, imported or not. */
  private readonly seedMax = new Map<SeedTable, number>();

  constructor(
    private readonly sources: Sources,
    private readonly target: ImportTarget,
    private readonly o: ImportOptions,
    private readonly progress: Progress,
  ) {
    this.report = { dryRun: o.dryRun, tables: [], rejected: [], adjusted: [], consumedLists: 0 };
    this.clock = { tzOffsetMinutes: o.tzOffsetMinutes, now: o.now };
  }

  async run(): Promise<ImportReport> {
    const tables = await this.sources.db.tables();
    const openApplications = tables.has('goodfriendapply') ? await this.sources.db.newestOpenApplications() : new Map<string, number>();
    for (const spec of SPECS) {
      const summary: TableSummary = { table: spec.table, read: 0, written: 0, skipped: 0, rejected: 0 };
      this.report.tables.push(summary);
      if (!tables.has(spec.table)) {
        this.progress(`${spec.table}: not in the seed database, nothing to import`);
        continue;
      }
      await this.copyTable(spec, summary, openApplications);
      if (spec.table === 'user_info') summary.created = await this.addMissingProfiles();
    }
    await this.target.advanceSequences();
    if (this.sources.redis) {
      const run = { target: this.target, o: this.o, report: this.report, progress: this.progress, users: this.present.users };
      await new OfflineCopy({ ...run, reject: (...a) => this.reject(...a) }).run(this.sources.redis);
    }
    return this.report;
  }

  private reject(table: string, id: string | number, reason: string, summary?: TableSummary): void {
    this.report.rejected.push({ table, id, reason });
    if (summary) summary.rejected++;
  }

  private async copyTable(spec: TableSpec, summary: TableSummary, openApplications: Map<string, number>): Promise<void> {
    const total = await this.sources.db.count(spec.table);
    let after = 0;
    for (;;) {
      const raw = await this.sources.db.batch(spec.table, after, this.o.batchSize);
      if (raw.length === 0) break;
      after = Number(raw[raw.length - 1]?.id);
      this.seedMax.set(spec.table, after);
      summary.read += raw.length;
      const rows: Row[] = [];
      for (const r of raw) {
        const m = spec.map(r, this.clock);
        if (!m.ok) {
          this.reject(spec.table, Number.isInteger(Number(r.id)) ? Number(r.id) : String(r.id), m.reason, summary);
          continue;
        }
        for (const n of m.notes) this.report.adjusted.push({ table: spec.table, id: Number(m.row.id), reason: n });
        const dangling = spec.refs.find((f) => !this.present[f.to].has(Number(m.row[f.column])));
        if (dangling) {
          this.reject(
            spec.table,
            Number(m.row.id),
            `${dangling.column} ${String(m.row[dangling.column])} is not an imported ${dangling.to === 'users' ? 'user' : 'group'}`,
            summary,
          );
          continue;
        }
        if (spec.table === 'goodfriendapply' && m.row.active_key !== null && openApplications.get(String(m.row.active_key)) !== m.row.id) {
          // Only the newest open application of a pair stays open in Natter (one per pair).
          m.row.active_key = null;
        }
        rows.push(m.row);
      }
      const accepted = await this.decide(spec, rows, summary);
      summary.written += accepted.length;
      if (accepted.length > 0) {
        await this.target.write(async (w) => {
          await w.insert(spec.table, accepted);
          await spec.alongside?.(w, accepted, this.o.now);
        });
      }
      if (total > this.o.batchSize) this.progress(`${spec.table}: ${summary.read}/${total} rows read`);
    }
    this.progress(
      `${spec.table}: ${summary.read} read, ${summary.written} ${this.o.dryRun ? 'to write' : 'written'}, ${summary.skipped} already there, ${summary.rejected} rejected`,
    );
  }

  /** Splits a batch into rows to write; skipped and refused ones are counted and reported. */
  private async decide(spec: TableSpec, rows: Row[], summary: TableSummary): Promise<Row[]> {
    const ids = rows.map((r) => Number(r.id));
    const existing = new Map<number, Row>();
    for (const e of await this.target.rowsWhere(spec.table, 'id', ids, ['id', ...spec.identity])) existing.set(Number(e.id), e);
    const holders = await this.holders(spec, rows);
    const accepted: Row[] = [];
    for (const row of rows) {
      const id = Number(row.id);
      const there = existing.get(id);
      if (there) {
        if (same(there, row, spec.identity)) {
          summary.skipped++;
          this.claim(spec, row);
        } else {
          this.reject(
            spec.table,
            id,
            `id ${id} is already used in Natter by another row (${spec.identity.map((c) => `${c} ${String(there[c])}`).join(', ')})`,
            summary,
          );
        }
        continue;
      }
      const clash = this.clash(spec, row, holders);
      if (clash) {
        this.reject(spec.table, id, clash, summary);
        continue;
      }
      this.claim(spec, row);
      accepted.push(row);
    }
    return accepted;
  }

  /** For each unique key of the batch's rows, the id of the Natter row holding it. */
  private async holders(spec: TableSpec, rows: Row[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const u of spec.uniques) {
      const values = rows.filter((r) => u.key(r) !== undefined).map((r) => r[u.column] as string | number);
      if (values.length === 0) continue;
      const cols = [...new Set(['id', u.column, ...spec.identity, ...(typeof u.clash === 'object' ? [u.clash.clear] : [])])];
      for (const e of await this.target.rowsWhere(spec.table, u.column, values, cols)) {
        const k = u.key(e);
        if (k !== undefined) out.set(`${u.label}\u0000${k}`, Number(e.id));
      }
    }
    return out;
  }

  /** Why the row cannot be taken, or undefined (a clearable value held elsewhere is dropped and noted). */
  private clash(spec: TableSpec, row: Row, holders: Map<string, number>): string | undefined {
    const id = Number(row.id);
    for (const u of spec.uniques) {
      const k = u.key(row);
      if (k === undefined) continue;
      const other = this.claimed.get(`${spec.table}\u0000${u.label}\u0000${k}`) ?? holders.get(`${u.label}\u0000${k}`);
      if (other === undefined || other === id) continue;
      if (u.clash === 'reject') return `duplicate ${u.label} ${k} (row ${other} has it)`;
      if (spec.table !== 'goodfriendapply')
        this.report.adjusted.push({ table: spec.table, id, reason: `${u.label} ${k} is already row ${other}'s: imported without it` });
      row[u.clash.clear] = null;
    }
    return undefined;
  }

  private claim(spec: TableSpec, row: Row): void {
    const id = Number(row.id);
    for (const u of spec.uniques) {
      const k = u.key(row);
      if (k !== undefined) this.claimed.set(`${spec.table}\u0000${u.label}\u0000${k}`, id);
    }
    if (spec.table === 'user') this.present.users.add(id);
    if (spec.table === 'group') this.present.groups.add(id);
  }

  /** Natter keeps exactly one user_info row per user: users the seed had none for get an empty one. */
  private async addMissingProfiles(): Promise<number> {
    const users = [...this.present.users];
    const owners = new Set<number>();
    for (const [k] of this.claimed) if (k.startsWith('user_info\u0000profile of user\u0000')) owners.add(Number(k.split('\u0000')[2]));
    for (const r of await this.target.rowsWhere('user_info', 'user_id', users, ['user_id'])) owners.add(Number(r.user_id));
    const missing = users.filter((u) => !owners.has(u));
    if (missing.length === 0) return 0;
    // Past every id the seed uses (a refused row's too), so that a second run meets the same rows.
    const first = Math.max(this.seedMax.get('user_info') ?? 0, await this.target.maxId('user_info')) + 1;
    for (let i = 0; i < missing.length; i += this.o.batchSize) {
      const part = missing.slice(i, i + this.o.batchSize);
      const rows = part.map((user_id, j) => ({
        id: first + i + j,
        user_id,
        ...EMPTY_PROFILE,
        create_time: this.o.now,
        update_time: this.o.now,
      }));
      await this.target.write((w) => w.insert('user_info', rows));
    }
    return missing.length;
  }
}

/** Runs the import (see SeedImport); `progress` hears one line per batch of a long table. */
export function runSeedImport(sources: Sources, target: ImportTarget, o: ImportOptions, progress: Progress): Promise<ImportReport> {
  return new SeedImport(sources, target, o, progress).run();
}
