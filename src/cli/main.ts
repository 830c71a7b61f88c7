import { Exit, UsageError, type CliIo, type Command, type ExitCode } from './io.js';

/** The commands of `natter`; each module is loaded only when its command runs. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  admin: {
    summary: 'manage accounts, sessions and notices on the configured database (natter admin --help)',
    load: async () => (await import('./admin.js')).admin,
  },
  import: {
    summary: "copy a seed deployment's MySQL database and Redis offline lists into Natter (natter import --help)",
    load: async () => (await import('./import.js')).importSeed,
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return ['usage: natter <command> [options]', '', 'commands:', ...lines, '', 'The server itself starts with `npm start`.'].join('\n');
}

/** Runs `natter <command> …`; returns the exit code (src/cli/io.ts). */
export async function run(argv: string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? Exit.usage : Exit.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`natter: unknown command "${name}"\n\n${usage()}`);
    return Exit.usage;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`natter ${name}: ${e.message}`);
      return Exit.usage;
    }
    io.err(`natter ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return Exit.failed;
  }
}
