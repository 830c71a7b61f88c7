import { ConfigError, environment, loadConfig, type Config } from './config.js';
import { HttpEntry } from './http/entry.js';

/**
 * The port is bound first, before the application's modules load (app.js is imported only
 * afterwards): connections that arrive during start-up wait instead of being refused.
 */
async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    const { env, fromFile } = environment();
    config = loadConfig(env, fromFile);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const entry = new HttpEntry();
  await entry.listen(config.port, config.host);
  const { createApp } = await import('./app.js');
  const app = await createApp(config, { entry });
  // The first signal stops gracefully (sockets are kept for SHUTDOWN_GRACE_SECONDS while a new
  // process may take the port); a second one stops at once.
  let signals = 0;
  const stop = (signal: string) => {
    signals++;
    app.http.log.info({ signal, graceSeconds: signals === 1 ? config.shutdownGraceMs / 1000 : 0 }, 'shutting down');
    app.close(signals === 1 ? config.shutdownGraceMs : 0).then(
      () => process.exit(0),
      (e: unknown) => {
        app.http.log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const port = await app.listen();
  app.http.log.info({ port, database: config.database.kind }, 'natter is listening');
}

main().catch((e: unknown) => {
  process.stderr.write(`natter failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
