import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { TEST_SECRET, type TestServer } from './server.js';

export interface AdminRun {
  code: number;
  out: string;
  err: string;
  // The --json object, asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** The settings a server of the tests runs with, as the admin command reads them from its environment. */
export function adminEnv(s: TestServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: s.databaseUrl,
    DATA_DIR: s.app.config.dataDir,
    JWT_SECRET: TEST_SECRET,
    SCRYPT_COST: '12',
    ...(s.app.config.redisUrl ? { REDIS_URL: s.app.config.redisUrl, REDIS_PREFIX: s.app.config.redisPrefix } : {}),
    ...extra,
  };
}

/** Runs `natter admin …` in this process with captured output; `--json` output is parsed. */
export async function admin(env: Record<string, string>, args: string[], o: { input?: string; cwd?: string } = {}): Promise<AdminRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env,
    cwd: o.cwd ?? env.DATA_DIR ?? process.cwd(),
    ...(o.input === undefined ? {} : { input: async () => o.input as string }),
  };
  const code = await run(['admin', ...args], io);
  const text = out.join('\n');
  let json: unknown;
  if (args.includes('--json')) json = JSON.parse(text);
  return { code, out: text, err: err.join('\n'), json };
}
