import { MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { onDuplicateKeyQuirks } from './quirks.js';
import type { DialectAdapter } from './types.js';

export function createMysql(url: string, onError: (err: Error) => void = () => undefined): DialectAdapter {
  const pool = createPool({
    uri: url,
    connectionLimit: 10,
    charset: 'utf8mb4_bin',
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    timezone: 'Z',
  });
  // Errors of idle connections are reported here instead of crashing the process.
  pool.on('connection', (conn) => conn.on('error', onError));
  return {
    name: 'mysql',
    kysely: new MysqlDialect({ pool }),
    quirks: onDuplicateKeyQuirks,
    translateError(err) {
      const errno = (err as { errno?: unknown }).errno;
      if (errno === 1062) return 'unique_violation';
      if (errno === 1451 || errno === 1452) return 'foreign_key_violation';
      if (errno === 1213 || errno === 1205) return 'retryable';
      return undefined;
    },
  };
}
