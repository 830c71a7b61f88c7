import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, environment, loadConfig, type Config } from '../config.js';
import { runSeedImport, type ImportReport } from '../migrate/seed-import.js';
import { SeedDatabase, SeedRedis, SourceError, redact } from '../migrate/seed-source.js';
import { openImportTarget, type ImportTarget } from '../store/import-target.js';
import { Exit, UsageError, type CliIo, type Command } from './io.js';

const USAGE = `usage: natter import --from mysql://user:pass@host:3306/seeddb [--redis redis://host:6379/5] [options]

Copies a seed deployment (its MySQL database and its Redis offline lists) into the database
Natter is configured with (DATABASE_URL, as for the server). Running it again changes nothing.

options:
  --from <url>       the seed's MySQL database (required)
  --redis <url>      the seed's Redis, with its db number; without it offline messages are not imported
  --dry-run          read everything and report what would be written; write nothing
  --consume          remove each offline list from the seed's Redis once all of it is in Natter
  --json             print the report as JSON
  --batch <n>        rows per transaction (default 500)
  --timezone <±hh:mm> zone the seed wrote its DATETIME values in (default +08:00, the seed's setting)
  -h, --help         this text

See docs/migration.md.`;

interface Args {
  from: string;
  redis: string | undefined;
  dryRun: boolean;
  consume: boolean;
  json: boolean;
  batch: number;
  tzOffsetMinutes: number;
}

function parse(argv: string[]): Args | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        redis: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        consume: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        batch: { type: 'string', default: '500' },
        timezone: { type: 'string', default: '+08:00' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
  }
  if (values.help) return 'help';
  const from = values.from;
  if (!from) throw new UsageError(`--from is required\n\n${USAGE}`);
  const db = urlOf(from, '--from', ['mysql:']);
  if (db.pathname.length <= 1) throw new UsageError('--from must name the seed database: mysql://user:pass@host:3306/<database>');
  if (values.redis !== undefined) urlOf(values.redis, '--redis', ['redis:', 'rediss:']);
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
    throw new UsageError(`--batch must be an integer from 1 to 10000, got "${values.batch}"`);
  const tz = /^([+-])(\d{2}):(\d{2})$/.exec(values.timezone);
  if (!tz || Number(tz[2]) > 14 || Number(tz[3]) > 59) throw new UsageError(`--timezone must look like +08:00, got "${values.timezone}"`);
  const tzOffsetMinutes = (tz[1] === '-' ? -1 : 1) * (Number(tz[2]) * 60 + Number(tz[3]));
  return { from, redis: values.redis, dryRun: values['dry-run'], consume: values.consume, json: values.json, batch, tzOffsetMinutes };
}

function urlOf(text: string, option: string, protocols: string[]): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${option} is not a URL: "${redact(text)}"`);
  }
  if (!protocols.includes(u.protocol)) throw new UsageError(`${option} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);
  return u;
}

/** Natter's settings as the server reads them: the environment, over a `.env` file in the working directory. */
function settings(io: CliIo): Readonly<Config> {
  const { env, fromFile } = environment(path.join(io.cwd, '.env'), io.env);
  const merged = { ...Object.fromEntries(fromFile.map((k) => [k, env[k]])), ...io.env };
  return loadConfig({ ...merged, DATA_DIR: path.resolve(io.cwd, merged.DATA_DIR ?? 'data') }, fromFile);
}

/** `natter import`: see USAGE and docs/migration.md. */
export const importSeed: Command = async (argv, io) => {
  const args = parse(argv);
  if (args === 'help') {
    io.out(USAGE);
    return Exit.ok;
  }
  let config: Readonly<Config>;
  try {
    config = settings(io);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err(`natter import: invalid settings:\n${e.message}`);
    return Exit.config;
  }
  const opened: { close(): Promise<void> }[] = [];
  try {
    const db = await SeedDatabase.open(args.from);
    opened.push(db);
    const redis = args.redis ? await SeedRedis.open(args.redis) : undefined;
    if (redis) opened.push(redis);
    let target: ImportTarget;
    try {
      target = await openImportTarget(config.database, { dryRun: args.dryRun });
    } catch (e) {
      io.err(`natter import: cannot open Natter's database (${describeTarget(config)}): ${e instanceof Error ? e.message : String(e)}`);
      return Exit.failed;
    }
    opened.push(target);
    if (!redis) io.err('natter import: no --redis given: offline messages are not imported');
    const report = await runSeedImport({ db, redis }, target, { ...args, batchSize: args.batch, now: Date.now() }, (line) => io.err(line));
    io.out(args.json ? JSON.stringify(report, null, 2) : render(report));
    return Exit.ok;
  } catch (e) {
    if (e instanceof SourceError) {
      io.err(`natter import: ${e.message}`);
      return Exit.failed;
    }
    throw e;
  } finally {
    for (const o of opened.reverse()) await o.close().catch(() => undefined);
  }
};

function describeTarget(config: Readonly<Config>): string {
  const d = config.database;
  return d.kind === 'sqlite' ? `sqlite:${d.file}` : redact(d.url);
}

/** The report as text: one line per table, then every refused and adjusted row. */
export function render(r: ImportReport): string {
  const head = ['table', 'read', r.dryRun ? 'to write' : 'written', 'already there', 'rejected'];
  const rows = r.tables.map((t) => [
    t.table,
    String(t.read),
    t.created ? `${t.written} (+${t.created} created)` : String(t.written),
    String(t.skipped),
    String(t.rejected),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [r.dryRun ? 'dry run: nothing was written' : 'import done', '', line(head), ...rows.map(line)];
  if (r.consumedLists > 0) out.push('', `${r.consumedLists} offline list(s) removed from the seed's Redis`);
  const list = (title: string, items: ImportReport['rejected']) => {
    if (items.length === 0) return;
    out.push('', `${title} (${items.length}):`);
    for (const p of items) out.push(`  ${p.table} ${p.id}: ${p.reason}`);
  };
  list('rejected', r.rejected);
  list('adjusted', r.adjusted);
  return out.join('\n');
}
