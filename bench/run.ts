import { parseArgs, type Options } from './args.js';
import { printTable, writeJson } from './report.js';
import { runOne } from './runner.js';
import { BENCH_ENV, ensureBuilt } from './server.js';
import { machine } from './util.js';

/**
 * `npm run bench -- [scenario...] [flags]`: each scenario gets its own freshly started server(s)
 * and database (unless --url), prints a table and one JSON line.
 */

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const m = machine();
  console.log(`natter bench: ${m.cores} cores (${m.cpu}), ${m.memoryMB} MB, node ${m.node}, ${m.os}, load average ${m.load1}`);
  if (o.url.length === 0) {
    ensureBuilt(o.entry);
    const env = Object.entries(BENCH_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(
      `servers started here (${o.nodes} node${o.nodes > 1 ? 's' : ''}, database ${o.db.replace(/\/\/[^@/]*@/, '//…@')}${o.redis ? ', Redis' : ''}) run with ${env}`,
    );
    console.log('SCRYPT_COST=10 makes registration fast enough for setup; it is not the production default (14).');
  } else {
    console.log(`targeting ${o.url.join(', ')}${o.pid.length ? ` (pids ${o.pid.join(', ')})` : ' (no CPU/RSS figures without --pid)'}`);
  }
  let failures = 0;
  for (const name of o.scenarios) {
    // Heavy pairs runs keep every sender's window in flight: one keep-alive socket per request.
    const sockets =
      name === 'pairs' || name === 'latency' ? Math.min(4096, Math.max(64, (o.given.pairs ?? 200) * (o.given.window ?? 10))) : 256;
    try {
      const { result, line, target } = await runOne(name, o, sockets);
      printTable(result, target);
      writeJson(o.json, line);
    } catch (e) {
      failures++;
      console.error(`\n${name} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
  process.exit(failures > 0 ? 1 : 0);
}

void main();
