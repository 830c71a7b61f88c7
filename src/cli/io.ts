import { processEnvironment } from '../config.js';

/** What a command reads and writes: injected, so tests run commands in-process and read their output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The environment settings are read from (a `.env` file in `cwd` below it). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Reads standard input to its end (`--password-stdin`); absent: there is none. */
  input?: () => Promise<string>;
}

/** Exit codes shared by every command (documented in docs/operations.md). */
export const Exit = {
  ok: 0,
  /** The operation failed (database unreachable, an unexpected error). */
  failed: 1,
  /** Bad arguments: unknown command or option, a missing or invalid value. */
  usage: 2,
  /** The settings are invalid (the same check the server makes at start). */
  config: 3,
  /** What the command names does not exist (an unknown user). */
  notFound: 4,
  /** The change conflicts with what is there (a username already taken). */
  conflict: 5,
} as const;

export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** A command: its arguments (after its name) in, an exit code out. */
export type Command = (argv: string[], io: CliIo) => Promise<ExitCode>;

/** Thrown for bad arguments; the command line prints the message and the command's usage and exits 2. */
export class UsageError extends Error {}

/** The process's own streams and environment. */
export const processIo = (): CliIo => ({
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: processEnvironment(),
  cwd: process.cwd(),
  input: async () => {
    let text = '';
    process.stdin.setEncoding('utf8');
    for await (const chunk of process.stdin) text += chunk as string;
    return text;
  },
});
