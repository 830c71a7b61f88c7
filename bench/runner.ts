import type { Options, Scenario } from './args.js';
import { jsonLine, type ScenarioResult } from './report.js';
import { connections } from './scenarios/connections.js';
import { group } from './scenarios/group.js';
import { offline } from './scenarios/offline.js';
import { pairs } from './scenarios/pairs.js';
import { idleShare } from './server.js';
import { Target } from './target.js';
import { machine, now } from './util.js';

/** Runs one scenario against its own target (fresh servers and database unless --url). */
export function runScenario(name: Scenario, o: Options, t: Target): Promise<ScenarioResult> {
  switch (name) {
    case 'pairs':
    case 'latency':
      return pairs(o, name, t);
    case 'group':
      return group(o, t);
    case 'connections':
      return connections(o, t);
    case 'offline':
      return offline(o, t);
  }
}

/** Opens a target, runs one scenario, closes the target whatever happens. */
export async function runOne(
  name: Scenario,
  o: Options,
  maxSockets?: number,
): Promise<{ result: ScenarioResult; line: string; target: Target }> {
  const quiet = o.given.quiet ?? 0;
  if (quiet > 0) {
    const end = now() + quiet * 1000;
    let idle = await idleShare(2000);
    while (idle < 0.6 && now() < end) idle = await idleShare(2000);
    console.log(`  (machine ${Math.round(idle * 100)}% idle before ${name})`);
  }
  const m = machine();
  const t = await Target.open(o, name, maxSockets);
  try {
    const result = await runScenario(name, o, t);
    return { result, line: jsonLine(result, t, o, m), target: t };
  } finally {
    await t.close();
  }
}
