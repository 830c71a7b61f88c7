import { randomInt } from 'node:crypto';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openAdmin, Unreachable, type Admin } from '../compose/admin.js';
import { ConfigError, environment, loadConfig } from '../config.js';
import { AppError, ValidationError } from '../domain/errors.js';
import type { Log } from '../domain/log.js';
import { UserStatus, type User } from '../domain/user.js';
import { newUsername, password as passwordParam } from '../http/common-params.js';
import { readInput } from '../http/params.js';
import type { UserRef } from '../services/admin.js';
import { describeReach, printHuman, type Result } from './admin-output.js';
import { Exit, UsageError, type CliIo, type Command, type ExitCode } from './io.js';

/** Accounts per transaction of `notice --all`. */
const NOTICE_BATCH = 500;
const NOTICE_MAX_CHARS = 2_000;
const GENERATED_PASSWORD_CHARS = 16;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

const USER_RULE = '<user> is a username, or id:<n> for the account with id n (a username is never read as an id)';

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
const PASSWORD: Options = { password: { type: 'string' }, 'password-stdin': { type: 'boolean' } };

interface Sub {
  usage: string;
  summary: string;
  options?: Options;
  /** Positional arguments: how many, given the parsed options. */
  positionals: (v: Values) => number;
  /** Checks and reads what needs no database (names, passwords, texts): a bad argument exits 2 before connecting. */
  prepare?(args: string[], v: Values, io: CliIo): Promise<Prepared>;
  run(a: Admin, args: string[], v: Values, p: Prepared): Promise<Result>;
}

interface Prepared {
  password?: string;
  generated?: boolean;
  text?: string;
}

type Values = Record<string, string | boolean | undefined>;

/** A failure with its exit code and one line for the operator. */
class Failed extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export function parseUserRef(text: string): UserRef {
  if (!text.startsWith('id:')) return { username: text };
  const n = text.slice(3);
  if (!/^\d{1,10}$/.test(n) || Number(n) < 1 || Number(n) > 2_147_483_647) throw new UsageError(`"${text}": id:<n> needs a positive id`);
  return { id: Number(n) };
}

async function findUser(a: Admin, text: string): Promise<User> {
  const user = await a.service.find(parseUserRef(text));
  if (!user) throw new Failed(Exit.notFound, `no user ${text.startsWith('id:') ? `with id ${text.slice(3)}` : `named "${text}"`}`);
  return user;
}

/** The first failing rule of the registration route (E01), worded as it answers. */
function check<T extends object>(spec: Parameters<typeof readInput>[0], values: T): void {
  try {
    readInput(spec, { params: {}, body: values, query: {} });
  } catch (e) {
    if (e instanceof ValidationError) throw new UsageError(e.issues[0]?.err[0] ?? e.message);
    throw e;
  }
}

/** The password given, or a generated one (then shown once). */
async function passwordOf(v: Values, io: CliIo): Promise<{ password: string; generated: boolean }> {
  if (v.password !== undefined && v['password-stdin']) throw new UsageError('give --password or --password-stdin, not both');
  let password = v.password as string | undefined;
  if (v['password-stdin']) {
    if (!io.input) throw new UsageError('--password-stdin: no standard input');
    password = (await io.input()).split(/\r?\n/)[0] ?? '';
  }
  if (password === undefined) {
    password = Array.from({ length: GENERATED_PASSWORD_CHARS }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return { password, generated: true };
  }
  check({ password: passwordParam }, { password });
  return { password, generated: false };
}

const who = (u: User) => ({ id: u.id, username: u.username });
const statusName = (s: number) => (s === UserStatus.disabled ? 'disabled' : s === UserStatus.locked ? 'locked' : 'active');

const SUBS: Record<string, Sub> = {
  'create-user': {
    usage: 'create-user <username> [--password <p> | --password-stdin]',
    summary: 'create a registered account (a password is generated and shown once when none is given)',
    options: PASSWORD,
    positionals: () => 1,
    async prepare([username = ''], v, io) {
      check({ username: newUsername }, { username });
      return passwordOf(v, io);
    },
    async run(a, [username = ''], _v, { password = '', generated }) {
      try {
        const user = await a.service.createUser(username, password);
        return { kind: 'created', user: who(user), ...(generated ? { password } : {}) };
      } catch (e) {
        if (e instanceof AppError && e.code === 'conflict') throw new Failed(Exit.conflict, `username "${username}" is taken`);
        throw e;
      }
    },
  },
  'reset-password': {
    usage: 'reset-password <user> [--password <p> | --password-stdin]',
    summary: "set a new password and end the user's session (their sockets close, code 4003)",
    options: PASSWORD,
    positionals: () => 1,
    prepare: (_args, v, io) => passwordOf(v, io),
    async run(a, [ref = ''], _v, { password = '', generated }) {
      const user = await findUser(a, ref);
      await a.service.resetPassword(user.id, password);
      return { kind: 'password', user: who(user), ...(generated ? { password } : {}), reach: describeReach(a.reach) };
    },
  },
  disable: {
    usage: 'disable <user>',
    summary: 'disable the account: its session ends, its sockets close, logging in is refused',
    positionals: () => 1,
    async run(a, [ref = '']) {
      const user = await findUser(a, ref);
      await a.service.disable(user.id);
      return { kind: 'status', user: who(user), status: 'disabled', reach: describeReach(a.reach) };
    },
  },
  enable: {
    usage: 'enable <user>',
    summary: 'let a disabled account log in again',
    positionals: () => 1,
    async run(a, [ref = '']) {
      const user = await findUser(a, ref);
      await a.service.enable(user.id);
      return { kind: 'status', user: who(user), status: 'active' };
    },
  },
  sessions: {
    usage: 'sessions <user>',
    summary: "the user's current session and whether a socket of theirs is open on a running node",
    positionals: () => 1,
    async run(a, [ref = '']) {
      const user = await findUser(a, ref);
      const s = await a.service.session(user.id);
      const census = await a.census(user.id);
      return {
        kind: 'sessions',
        user: { ...who(user), role: user.role, status: statusName(user.status) },
        session: s && {
          sid: `${s.sid.slice(0, 8)}…`,
          role: s.role,
          device: s.device,
          created: new Date(s.create_time).toISOString(),
          expires: new Date(s.expires_at).toISOString(),
          expired: s.expires_at <= Date.now(),
        },
        online: census ? (census.user?.sockets ?? 0) > 0 : null,
        sockets: census ? (census.user?.sockets ?? 0) : null,
        receiving: census ? (census.user?.receiving ?? false) : null,
        nodes: census ? census.nodes : null,
        reach: describeReach(a.reach),
      };
    },
  },
  notice: {
    usage: 'notice (<user> | --all) <text>',
    summary: "store a system notice in the user's notices (or every active account's) and push it to open sockets",
    options: { all: { type: 'boolean' } },
    positionals: (v) => (v.all ? 1 : 2),
    async prepare(args, v) {
      const text = (v.all ? args[0] : args[1]) ?? '';
      if (text.trim() === '' || [...text].length > NOTICE_MAX_CHARS) throw new UsageError(`<text>: 1 to ${NOTICE_MAX_CHARS} characters`);
      return { text };
    },
    async run(a, args, v, { text = '' }) {
      if (v.all) {
        const sent = await a.service.notifyAll(text, NOTICE_BATCH);
        return { kind: 'notice', sent, reach: describeReach(a.reach) };
      }
      const user = await findUser(a, args[0] ?? '');
      await a.service.notify(user, text);
      return { kind: 'notice', user: who(user), sent: 1, reach: describeReach(a.reach) };
    },
  },
  counts: {
    usage: 'counts',
    summary: 'accounts, groups, messages waiting for delivery, sockets online',
    positionals: () => 0,
    async run(a) {
      const [c, census] = await Promise.all([a.service.counts(), a.census()]);
      return {
        kind: 'counts',
        ...c,
        online: census ? { nodes: census.nodes, sockets: census.sockets } : null,
        reach: describeReach(a.reach),
      };
    },
  },
};

export function adminUsage(): string {
  const lines = Object.values(SUBS).map((s) => `  ${s.usage}\n      ${s.summary}`);
  return [
    'usage: natter admin <subcommand> [options]',
    '',
    'subcommands:',
    ...lines,
    '',
    `${USER_RULE}.`,
    'Every subcommand takes --json (one JSON object on stdout) and --help.',
    'Exit codes: 0 ok, 1 failed (database or Redis unreachable), 2 usage, 3 configuration, 4 unknown user, 5 conflict.',
    'Settings are read as the server reads them (environment, then .env); see docs/operations.md "Admin command".',
  ].join('\n');
}

const subUsage = (name: string, s: Sub) =>
  `usage: natter admin ${s.usage} [--json]\n\n${s.summary}.${s.usage.includes('<user>') ? `\n${USER_RULE}.` : ''}`;

function cliLog(io: CliIo): Log {
  const line = (obj: object, msg: string) => {
    const err = (obj as { err?: unknown }).err;
    io.err(`natter admin: warning: ${msg}${err instanceof Error ? `: ${err.message}` : ''}`);
  };
  return { debug: () => undefined, info: () => undefined, warn: line, error: line };
}

function parse(sub: Sub, argv: string[]): { args: string[]; values: Values } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON, ...sub.options }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const want = sub.positionals(parsed.values);
  if (!parsed.values.help && parsed.positionals.length !== want)
    throw new UsageError(`expected ${want} argument${want === 1 ? '' : 's'}, got ${parsed.positionals.length}`);
  return { args: parsed.positionals, values: parsed.values };
}

/** `natter admin <subcommand> …`: see adminUsage() and docs/operations.md. */
export const admin: Command = async (argv, io) => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io[name === undefined ? 'err' : 'out'](adminUsage());
    return name === undefined ? Exit.usage : Exit.ok;
  }
  const sub = Object.hasOwn(SUBS, name) ? SUBS[name] : undefined;
  if (!sub) {
    io.err(`natter admin: unknown subcommand "${name}"\n\n${adminUsage()}`);
    return Exit.usage;
  }
  let parsed: { args: string[]; values: Values };
  try {
    parsed = parse(sub, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`natter admin ${name}: ${e.message}\n\n${subUsage(name, sub)}`);
    return Exit.usage;
  }
  if (parsed.values.help) {
    io.out(subUsage(name, sub));
    return Exit.ok;
  }
  let prepared: Prepared = {};
  try {
    prepared = (await sub.prepare?.(parsed.args, parsed.values, io)) ?? {};
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`natter admin ${name}: ${e.message}`);
    if (parsed.values.json) io.out(JSON.stringify({ ok: false, error: e.message, exit: Exit.usage }));
    return Exit.usage;
  }
  return execute(name, sub, parsed, prepared, io);
};

async function execute(
  name: string,
  sub: Sub,
  { args, values }: { args: string[]; values: Values },
  prepared: Prepared,
  io: CliIo,
): Promise<ExitCode> {
  const json = values.json === true;
  const fail = (code: ExitCode, message: string): ExitCode => {
    io.err(`natter admin ${name}: ${message}`);
    if (json) io.out(JSON.stringify({ ok: false, error: message, exit: code }));
    return code;
  };
  let admin: Admin;
  try {
    const { env, fromFile } = environment(path.join(io.cwd, '.env'), io.env);
    admin = await openAdmin(loadConfig(env, fromFile), cliLog(io));
  } catch (e) {
    if (e instanceof ConfigError) return fail(Exit.config, `invalid configuration:\n  - ${e.problems.join('\n  - ')}`);
    if (e instanceof Unreachable) return fail(Exit.failed, e.message);
    throw e;
  }
  try {
    const result = await sub.run(admin, args, values, prepared);
    await admin.close();
    io.out(json ? JSON.stringify({ ok: true, ...result }) : printHuman(result));
    return Exit.ok;
  } catch (e) {
    await admin.close().catch(() => undefined);
    if (e instanceof UsageError) {
      io.err(`natter admin ${name}: ${e.message}\n\n${subUsage(name, sub)}`);
      if (json) io.out(JSON.stringify({ ok: false, error: e.message, exit: Exit.usage }));
      return Exit.usage;
    }
    if (e instanceof Failed) return fail(e.code, e.message);
    return fail(Exit.failed, e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e));
  }
}
