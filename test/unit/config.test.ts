import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, environment, loadConfig, parseDuration } from '../../src/config.js';

/** src/config.ts: defaults, validation of every key, all problems reported at once. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('runs with no settings at all', () => {
    const c = loadConfig({});
    const dataDir = path.resolve('./data');
    expect(c).toMatchObject({
      port: 7001,
      host: '0.0.0.0',
      database: { kind: 'sqlite', file: path.join(dataDir, 'natter.db') },
      redisUrl: undefined,
      dataDir,
      jwtSecret: undefined,
      tokenTtl: 30 * 86400,
      visitorSalt: '45ncashdaksh2!#@3nxjdas*_259',
      publicUrl: undefined,
      s3: undefined,
      ffmpegPath: 'ffmpeg',
      logLevel: 'info',
      displayTzOffsetMinutes: 480,
      trustProxy: [],
      bodyLimit: 1024 * 1024,
      uploadMaxBytes: 50 * 1024 * 1024,
      scryptCost: 14,
      login: { maxFailuresPerUser: 5, maxFailuresPerAddress: 30, maxFailuresPerAccount: 100, windowSeconds: 900 },
      signup: { accountsPerAddress: 100, visitorsPerAddress: 200 },
      messageRetentionDays: 0,
      ws: {
        maxPayloadBytes: 65536,
        maxBufferedBytes: 8 * 1024 * 1024,
        connectsPerMinute: 120,
        framesPerMinute: 600,
        pingIntervalMs: 30_000,
        socketsPerUser: 64,
      },
      corsOrigins: '*',
      shutdownGraceMs: 5000,
      web: { enabled: true, root: fileURLToPath(new URL('../../dist/web', import.meta.url)) },
      unknownKeys: [],
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('treats empty and blank values as unset and trims the others', () => {
    const c = loadConfig({ PORT: '', HOST: '   ', LOG_LEVEL: ' debug ', LOGIN_MAX_FAILURES: ' 7 ' });
    expect(c).toMatchObject({ port: 7001, host: '0.0.0.0', logLevel: 'debug', login: { maxFailuresPerUser: 7 } });
  });

  it('reads every key it knows', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      REDIS_URL: 'redis://localhost:6379/',
      DATA_DIR: '/tmp/natter-x',
      JWT_SECRET: 's'.repeat(32),
      TOKEN_TTL: '12h',
      VISITOR_SALT: 'salt',
      PUBLIC_URL: 'https://im.example.com/',
      FFMPEG_PATH: '/usr/bin/ffmpeg',
      LOG_LEVEL: 'silent',
      DISPLAY_TIMEZONE: '-05:30',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      BODY_LIMIT: '2048',
      UPLOAD_MAX_BYTES: '4096',
      SCRYPT_COST: '10',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_MAX_FAILURES_PER_IP: '9',
      LOGIN_WINDOW_SECONDS: '60',
      MESSAGE_RETENTION_DAYS: '30',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '40',
      REGISTER_MAX_PER_IP_HOUR: '7',
      VISITOR_MAX_PER_IP_HOUR: '8',
      WS_SOCKETS_PER_USER: '4',
      CORS_ORIGINS: 'https://a.example, http://b.example:8080',
      SHUTDOWN_GRACE_SECONDS: '0',
      WEB_ENABLED: 'false',
      WEB_ROOT: '/srv/natter-web',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_BUCKET: 'b',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 's',
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      redisUrl: 'redis://localhost:6379',
      dataDir: '/tmp/natter-x',
      database: { kind: 'sqlite', file: '/tmp/natter-x/natter.db' },
      jwtSecret: 's'.repeat(32),
      tokenTtl: 43200,
      visitorSalt: 'salt',
      publicUrl: 'https://im.example.com',
      ffmpegPath: '/usr/bin/ffmpeg',
      logLevel: 'silent',
      displayTzOffsetMinutes: -330,
      trustProxy: ['loopback', '10.0.0.0/8'],
      bodyLimit: 2048,
      uploadMaxBytes: 4096,
      scryptCost: 10,
      login: { maxFailuresPerUser: 3, maxFailuresPerAddress: 9, maxFailuresPerAccount: 40, windowSeconds: 60 },
      messageRetentionDays: 30,
      signup: { accountsPerAddress: 7, visitorsPerAddress: 8 },
      ws: { socketsPerUser: 4 },
      corsOrigins: ['https://a.example', 'http://b.example:8080'],
      shutdownGraceMs: 0,
      web: { enabled: false, root: '/srv/natter-web' },
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'b',
        region: 'us-east-1',
        accessKeyId: 'k',
        secretAccessKey: 's',
        publicUrl: undefined,
      },
    });
  });

  it('reads TRUST_PROXY as a list of proxies; "false" trusts none; "true" and hop counts are refused (they would trust anyone)', () => {
    for (const v of ['0', 'false', 'No', 'off']) expect(loadConfig({ TRUST_PROXY: v }).trustProxy, v).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1,::1, uniquelocal,fd00::/8' }).trustProxy).toEqual([
      '127.0.0.1',
      '::1',
      'uniquelocal',
      'fd00::/8',
    ]);
    for (const v of ['1', 'true', 'YES', 'on', '2'])
      expect(problemsOf({ TRUST_PROXY: v })[0], v).toMatch(/^TRUST_PROXY: ".*" would believe X-Forwarded-For from anyone/);
    for (const v of ['10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/1'])
      expect(problemsOf({ TRUST_PROXY: v })[0], v).toMatch(/is not an address, a CIDR range/);
  });

  it('lists unknown NATTER_* and S3_* keys and likely misspellings as warnings, not errors', () => {
    const c = loadConfig({ NATTER_FOO: '1', S3_REGOIN: 'x', REDIS_ULR: 'redis://x', WS_PING: '3', PATH: '/bin', HOME: '/root' });
    expect(c.unknownKeys.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'NATTER_FOO' },
      { key: 'REDIS_ULR', suggestion: 'REDIS_URL' },
      { key: 'S3_REGOIN', suggestion: 'S3_REGION' },
    ]);
  });

  it('reads a .env file below the environment, and warns about every unknown key in it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'natter-env-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, '# settings\nPORT=7100\nSHUTDOWN_GRACE_SECONDS=9\nSOMETHING_ELSE="x y"\n');
    try {
      const { env, fromFile } = environment(file);
      expect(fromFile.sort()).toEqual(['PORT', 'SHUTDOWN_GRACE_SECONDS', 'SOMETHING_ELSE']);
      expect(env.SOMETHING_ELSE).toBe('x y');
      const c = loadConfig({ ...env, PORT: '7200' }, fromFile);
      expect(c.port).toBe(7200);
      expect(c.shutdownGraceMs).toBe(9000);
      expect(c.unknownKeys.filter((u) => fromFile.includes(u.key))).toEqual([{ key: 'SOMETHING_ELSE' }]);
      expect(environment(path.join(dir, 'missing.env')).fromFile).toEqual([]);
      // A folder where the file should be: a configuration error naming it, not a crash.
      expect(() => environment(dir)).toThrow(ConfigError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadConfig DATABASE_URL', () => {
  const db = (url: string) => loadConfig({ DATABASE_URL: url }).database;

  it('reads sqlite paths, relative, absolute and in memory', () => {
    expect(db('sqlite:./x/natter.db')).toEqual({ kind: 'sqlite', file: path.resolve('./x/natter.db') });
    expect(db('sqlite:/tmp/a.db')).toEqual({ kind: 'sqlite', file: '/tmp/a.db' });
    expect(db('sqlite:///tmp/a.db')).toEqual({ kind: 'sqlite', file: '/tmp/a.db' });
    expect(db('sqlite::memory:')).toEqual({ kind: 'sqlite', file: ':memory:' });
  });

  it('reads PostgreSQL and MySQL/MariaDB URLs', () => {
    expect(db('postgres://u:p@h:5432/d')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h:5432/d' });
    expect(db('postgresql://u@h/d')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/d' });
    expect(db('mysql://root@127.0.0.1:3306/d')).toEqual({ kind: 'mysql', url: 'mysql://root@127.0.0.1:3306/d' });
    expect(db('mariadb://root@127.0.0.1/d')).toEqual({ kind: 'mysql', url: 'mysql://root@127.0.0.1/d' });
  });

  it('refuses other forms', () => {
    expect(problemsOf({ DATABASE_URL: 'sqlite:' })).toEqual(['DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/natter.db']);
    for (const url of ['ftp://x/y', 'natter.db', 'mongodb://h/d']) {
      expect(problemsOf({ DATABASE_URL: url })).toEqual([`DATABASE_URL: expected sqlite:<path>, postgres://… or mysql://…, got "${url}"`]);
    }
  });
});

describe('loadConfig durations', () => {
  it('parses 30d, 12h, 15m, 90s and bare seconds', () => {
    expect(parseDuration('30d')).toBe(2592000);
    expect(parseDuration('12h')).toBe(43200);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('3600')).toBe(3600);
    expect(parseDuration(' 2 D ')).toBe(172800);
    for (const bad of ['', 'abc', '1.5h', '-60', '10w', 'h']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('reads TOKEN_TTL as a duration of at least 60 seconds', () => {
    expect(loadConfig({ TOKEN_TTL: '60' }).tokenTtl).toBe(60);
    expect(loadConfig({ TOKEN_TTL: '1m' }).tokenTtl).toBe(60);
    expect(loadConfig({ TOKEN_TTL: '7d' }).tokenTtl).toBe(604800);
    for (const bad of ['59', '30s', 'forever', '1.5h']) {
      expect(problemsOf({ TOKEN_TTL: bad }), bad).toEqual([
        `TOKEN_TTL: expected a duration of at least 60s such as 30d, 12h or 3600, got "${bad}"`,
      ]);
    }
  });
});

describe('loadConfig problems', () => {
  const bad: [Record<string, string>, string][] = [
    [{ PORT: 'http' }, 'PORT: expected an integer from 0 to 65535, got "http"'],
    [{ PORT: '65536' }, 'PORT: expected an integer from 0 to 65535, got "65536"'],
    [{ PORT: '-1' }, 'PORT: expected an integer from 0 to 65535, got "-1"'],
    [{ JWT_SECRET: 's'.repeat(31) }, 'JWT_SECRET: must be at least 32 characters'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL: expected a URL starting with redis:// or rediss://, got "http://localhost"'],
    [{ PUBLIC_URL: 'im.example.com' }, 'PUBLIC_URL: expected a URL starting with http:// or https://, got "im.example.com"'],
    [{ DISPLAY_TIMEZONE: '+8' }, 'DISPLAY_TIMEZONE: expected an offset such as +08:00, got "+8"'],
    [{ DISPLAY_TIMEZONE: '+15:00' }, 'DISPLAY_TIMEZONE: expected an offset such as +08:00, got "+15:00"'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY: "maybe" is not an address, a CIDR range or loopback/linklocal/uniquelocal'],
    [{ CORS_ORIGINS: 'app.example.com' }, 'CORS_ORIGINS: "app.example.com" is not an origin such as https://app.example.com (or use *)'],
    [{ WS_SOCKETS_PER_USER: '0' }, 'WS_SOCKETS_PER_USER: expected an integer from 1 to 10000, got "0"'],
    [{ BODY_LIMIT: '1023' }, 'BODY_LIMIT: expected an integer from 1024 to 104857600, got "1023"'],
    [{ UPLOAD_MAX_BYTES: '1k' }, 'UPLOAD_MAX_BYTES: expected an integer from 1024 to 2147483648, got "1k"'],
    [{ SCRYPT_COST: '9' }, 'SCRYPT_COST: expected an integer from 10 to 20, got "9"'],
    [{ SCRYPT_COST: '21' }, 'SCRYPT_COST: expected an integer from 10 to 20, got "21"'],
    [{ LOGIN_MAX_FAILURES: '0' }, 'LOGIN_MAX_FAILURES: expected an integer from 1 to 1000, got "0"'],
    [{ LOGIN_MAX_FAILURES_PER_IP: '0' }, 'LOGIN_MAX_FAILURES_PER_IP: expected an integer from 1 to 100000, got "0"'],
    [{ LOGIN_WINDOW_SECONDS: '86401' }, 'LOGIN_WINDOW_SECONDS: expected an integer from 1 to 86400, got "86401"'],
    [{ MESSAGE_RETENTION_DAYS: '-1' }, 'MESSAGE_RETENTION_DAYS: expected an integer from 0 to 36500, got "-1"'],
    [
      { S3_BUCKET: 'b' },
      'S3: set all of S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY or none (missing: S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)',
    ],
    [
      { S3_ENDPOINT: 'minio:9000', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' },
      'S3_ENDPOINT: expected a URL starting with http:// or https://, got "minio:9000"',
    ],
  ];

  it.each(bad)('reports %j', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it('reports every bad key at once, in one ConfigError', () => {
    const env = { PORT: 'x', TOKEN_TTL: '1', LOG_LEVEL: 'loud', DATABASE_URL: 'ftp://x', SCRYPT_COST: '99', TRUST_PROXY: '?' };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    for (const key of Object.keys(env))
      expect(
        problems.some((p) => p.startsWith(`${key}:`)),
        key,
      ).toBe(true);
    for (const p of problems) expect((error as ConfigError).message).toContain(p);
  });
});
