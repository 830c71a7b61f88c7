import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

/**
 * All settings come from environment variables; this is the only module that reads them.
 * `loadConfig` validates every key and reports every bad one at once (ConfigError.problems).
 */

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string } | { kind: 'mysql'; url: string };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface S3Config {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  publicUrl: string | undefined;
}

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  redisUrl: string | undefined;
  /** Prefix of this deployment's Redis channels (deployments sharing a Redis need different ones). */
  redisPrefix: string;
  dataDir: string;
  /**
   * Unix socket of the local bridge (src/bus/local-bridge.ts) a node on the in-process bus listens
   * on, for `natter admin` on the same host; undefined: none. `explicit`: set by ADMIN_SOCKET.
   */
  adminSocket: { path: string; explicit: boolean } | undefined;
  jwtSecret: string | undefined;
  /** Token lifetime in seconds. */
  tokenTtl: number;
  visitorSalt: string;
  publicUrl: string | undefined;
  /**
   * Where the default avatars and notice icons are served from, ending in `/` (DEFAULTS_URL;
   * default `<PUBLIC_URL>/public/defaults/`, or the path `/public/defaults/` without PUBLIC_URL).
   */
  defaultsUrl: string;
  s3: S3Config | undefined;
  ffmpegPath: string;
  /** Hosts whose videos getVideoScreenshot may fetch (besides our own uploads). */
  screenshotHosts: string[];
  logLevel: LogLevel;
  /** Offset of the time zone used to render `create_time` text, in minutes east of UTC. */
  displayTzOffsetMinutes: number;
  /**
   * Addresses of the reverse proxies whose X-Forwarded-For is believed (IPs, CIDR ranges, or
   * loopback / linklocal / uniquelocal); empty: the peer's own address is the client's.
   */
  trustProxy: string[];
  bodyLimit: number;
  uploadMaxBytes: number;
  /** log2 of the scrypt cost parameter N. */
  scryptCost: number;
  login: {
    /** Failed logins allowed for one username from one address per window. */
    maxFailuresPerUser: number;
    /** Failed logins allowed from one address per window, whatever the username. */
    maxFailuresPerAddress: number;
    /** Failed logins allowed for one username per window from addresses it never logged in from. */
    maxFailuresPerAccount: number;
    windowSeconds: number;
  };
  /** New accounts one address may create per hour: registered (regChat, visitorregChat) and visitor accounts. */
  signup: { accountsPerAddress: number; visitorsPerAddress: number };
  /** Days a stored message is kept; 0 keeps messages forever. */
  messageRetentionDays: number;
  ws: {
    maxPayloadBytes: number;
    maxBufferedBytes: number;
    connectsPerMinute: number;
    framesPerMinute: number;
    pingIntervalMs: number;
    /** Sockets one user may hold on one node (receiving, standing by, retired). */
    socketsPerUser: number;
  };
  /** Rows kept in memory on each node (docs/architecture.md, "Caches"); 0 keeps none of that kind. */
  cache: { users: number; pairs: number; groups: number; ttlMs: number };
  /** Serve the API documentation (`/docs`, `/openapi.json`). */
  docsEnabled: boolean;
  /** Serve the built browser client (`npm run build:web`) from `root` at `/`. */
  web: { enabled: boolean; root: string };
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Origins allowed to call the API from a browser: '*' for any. */
  corsOrigins: '*' | string[];
  /** On SIGTERM/SIGINT: how long open sockets are kept, waiting for a new process to take the port, before they are dropped. */
  shutdownGraceMs: number;
  /** Keys that look like settings but are not (misspelled, or in `.env` yet unknown): warned about at start. */
  unknownKeys: { key: string; suggestion?: string }[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const SEED_VISITOR_SALT = '45ncashdaksh2!#@3nxjdas*_259';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** The package's dist/web: this module is src/config.ts under tsx and dist/config.js when built, one level below the package either way. */
const PACKAGE_WEB_ROOT = fileURLToPath(new URL('../dist/web', import.meta.url));

export const KNOWN_KEYS = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_PREFIX',
  'DATA_DIR',
  'ADMIN_SOCKET',
  'JWT_SECRET',
  'TOKEN_TTL',
  'VISITOR_SALT',
  'PUBLIC_URL',
  'DEFAULTS_URL',
  'S3_ENDPOINT',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_PUBLIC_URL',
  'FFMPEG_PATH',
  'SCREENSHOT_ALLOWED_HOSTS',
  'LOG_LEVEL',
  'DISPLAY_TIMEZONE',
  'TRUST_PROXY',
  'BODY_LIMIT',
  'UPLOAD_MAX_BYTES',
  'SCRYPT_COST',
  'LOGIN_MAX_FAILURES',
  'LOGIN_MAX_FAILURES_PER_IP',
  'LOGIN_WINDOW_SECONDS',
  'LOGIN_MAX_FAILURES_PER_ACCOUNT',
  'REGISTER_MAX_PER_IP_HOUR',
  'VISITOR_MAX_PER_IP_HOUR',
  'MESSAGE_RETENTION_DAYS',
  'WS_MAX_PAYLOAD',
  'WS_MAX_BUFFERED',
  'WS_CONNECTS_PER_MINUTE',
  'WS_FRAMES_PER_MINUTE',
  'WS_PING_INTERVAL_SECONDS',
  'WS_SOCKETS_PER_USER',
  'CACHE_USERS',
  'CACHE_FRIEND_PAIRS',
  'CACHE_GROUPS',
  'CACHE_TTL_SECONDS',
  'CORS_ORIGINS',
  'SHUTDOWN_GRACE_SECONDS',
  'DOCS_ENABLED',
  'METRICS_TOKEN',
  'WEB_ENABLED',
  'WEB_ROOT',
] as const;

/** Reads values one by one, collecting problems instead of stopping at the first. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(key: string): string | undefined {
    const v = this.env[key];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  str(key: string, def: string): string {
    return this.raw(key) ?? def;
  }

  int(key: string, def: number, min: number, max: number): number {
    const v = this.raw(key);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(`${key}: expected an integer from ${min} to ${max}, got "${v}"`);
      return def;
    }
    return Number(v);
  }

  bool(key: string, def: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return def;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    this.problems.push(`${key}: expected true or false, got "${v}"`);
    return def;
  }

  url(key: string, protocols: string[]): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return v.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${key}: expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${v}"`);
      return undefined;
    }
  }

  fail(message: string): void {
    this.problems.push(message);
  }
}

/** Parses `30d`, `12h`, `15m`, `90s` or a bare number of seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*([smhd]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

/** DEFAULTS_URL: an http(s) URL or a path on this server; a trailing `/` is added. */
function parseDefaultsUrl(r: Reader, publicUrl: string | undefined): string {
  const v = r.raw('DEFAULTS_URL');
  if (v === undefined) return `${publicUrl ?? ''}/public/defaults/`;
  if (v.startsWith('/') && !v.startsWith('//')) return v.endsWith('/') ? v : `${v}/`;
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return `${v.replace(/\/+$/, '')}/`;
  } catch {
    // not a URL: reported below
  }
  r.fail(`DEFAULTS_URL: expected a URL starting with http:// or https://, or a path starting with /, got "${v}"`);
  return '/public/defaults/';
}

function parseDatabase(r: Reader, dataDir: string): DatabaseConfig {
  const v = r.raw('DATABASE_URL');
  if (v === undefined) return { kind: 'sqlite', file: path.join(dataDir, 'natter.db') };
  if (v.startsWith('sqlite:')) {
    const file = v.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') r.fail('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/natter.db');
    return { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(v)) return { kind: 'postgres', url: v };
  if (/^(mysql|mariadb):\/\//.test(v)) return { kind: 'mysql', url: v.replace(/^mariadb:/, 'mysql:') };
  r.fail(`DATABASE_URL: expected sqlite:<path>, postgres://… or mysql://…, got "${v}"`);
  return { kind: 'sqlite', file: path.join(dataDir, 'natter.db') };
}

function parseTz(r: Reader): number {
  const v = r.str('DISPLAY_TIMEZONE', '+08:00');
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(v);
  if (!m || Number(m[2]) > 14 || Number(m[3]) > 59) {
    r.fail(`DISPLAY_TIMEZONE: expected an offset such as +08:00, got "${v}"`);
    return 480;
  }
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function parseS3(r: Reader): S3Config | undefined {
  const keys = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
  const given = keys.filter((k) => r.raw(k) !== undefined);
  const extras = (['S3_REGION', 'S3_PUBLIC_URL'] as const).filter((k) => r.raw(k) !== undefined);
  if (given.length === 0 && extras.length === 0) return undefined;
  if (given.length < keys.length) {
    r.fail(`S3: set all of ${keys.join(', ')} or none (missing: ${keys.filter((k) => !given.includes(k)).join(', ')})`);
    return undefined;
  }
  const endpoint = r.url('S3_ENDPOINT', ['http:', 'https:']);
  if (endpoint === undefined) return undefined;
  return {
    endpoint,
    bucket: r.str('S3_BUCKET', ''),
    region: r.str('S3_REGION', 'us-east-1'),
    accessKeyId: r.str('S3_ACCESS_KEY_ID', ''),
    secretAccessKey: r.str('S3_SECRET_ACCESS_KEY', ''),
    publicUrl: r.url('S3_PUBLIC_URL', ['http:', 'https:']),
  };
}

/** Longest socket path Linux and macOS accept, less the temporary suffix the bridge listens on first. */
const MAX_SOCKET_PATH_BYTES = 103 - 9;

function parseAdminSocket(r: Reader, dataDir: string): Config['adminSocket'] {
  const v = r.str('ADMIN_SOCKET', '');
  if (/^(off|false|no|none)$/i.test(v)) return undefined;
  if (v === '') return { path: path.join(dataDir, 'natter.sock'), explicit: false };
  const file = path.resolve(v);
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH_BYTES)
    r.fail(`ADMIN_SOCKET: "${file}" is longer than ${MAX_SOCKET_PATH_BYTES} bytes, too long for a Unix socket`);
  return { path: file, explicit: true };
}

function parseHosts(r: Reader): string[] {
  const hosts = r
    .str('SCREENSHOT_ALLOWED_HOSTS', '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of hosts) {
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(h)) r.fail(`SCREENSHOT_ALLOWED_HOSTS: "${h}" is not a host name`);
  }
  return hosts;
}

function parseTrustProxy(r: Reader): string[] {
  const v = r.raw('TRUST_PROXY');
  if (v === undefined || /^(0|false|no|off)$/i.test(v)) return [];
  if (/^(1|true|yes|on)$/i.test(v) || /^\d+$/.test(v)) {
    r.fail(
      `TRUST_PROXY: "${v}" would believe X-Forwarded-For from anyone who reaches the server directly; ` +
        'give the addresses of your proxies instead, e.g. TRUST_PROXY=loopback or TRUST_PROXY=10.0.0.5,10.0.1.0/24',
    );
    return [];
  }
  const list = v
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of list) {
    const [ip, bits, extra] = a.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(a);
    const family = isIP(ip ?? '');
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!named && (family === 0 || !bitsOk || extra !== undefined))
      r.fail(`TRUST_PROXY: "${a}" is not an address, a CIDR range or loopback/linklocal/uniquelocal`);
  }
  return list;
}

function parseOrigins(r: Reader): '*' | string[] {
  const v = r.str('CORS_ORIGINS', '*');
  if (v === '*') return '*';
  const origins = v
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) r.fail(`CORS_ORIGINS: "${o}" is not an origin such as https://app.example.com (or use *)`);
  }
  return origins;
}

export function loadConfig(env: Env = process.env, fromFile: readonly string[] = []): Readonly<Config> {
  const r = new Reader(env);
  const dataDir = path.resolve(r.str('DATA_DIR', './data'));

  const jwtSecret = r.raw('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) r.fail('JWT_SECRET: must be at least 32 characters');

  const ttlText = r.str('TOKEN_TTL', '30d');
  const tokenTtl = parseDuration(ttlText);
  if (tokenTtl === undefined || tokenTtl < 60)
    r.fail(`TOKEN_TTL: expected a duration of at least 60s such as 30d, 12h or 3600, got "${ttlText}"`);

  const logLevel = r.str('LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) r.fail(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const publicUrl = r.url('PUBLIC_URL', ['http:', 'https:']);
  const config: Config = {
    port: r.int('PORT', 7001, 0, 65535),
    host: r.str('HOST', '0.0.0.0'),
    database: parseDatabase(r, dataDir),
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: r.str('REDIS_PREFIX', 'natter:'),
    dataDir,
    adminSocket: parseAdminSocket(r, dataDir),
    jwtSecret,
    tokenTtl: tokenTtl ?? 30 * 86400,
    visitorSalt: r.str('VISITOR_SALT', SEED_VISITOR_SALT),
    publicUrl,
    defaultsUrl: parseDefaultsUrl(r, publicUrl),
    s3: parseS3(r),
    ffmpegPath: r.str('FFMPEG_PATH', 'ffmpeg'),
    screenshotHosts: parseHosts(r),
    logLevel,
    displayTzOffsetMinutes: parseTz(r),
    trustProxy: parseTrustProxy(r),
    bodyLimit: r.int('BODY_LIMIT', 1024 * 1024, 1024, 100 * 1024 * 1024),
    uploadMaxBytes: r.int('UPLOAD_MAX_BYTES', 50 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
    scryptCost: r.int('SCRYPT_COST', 14, 10, 20),
    login: {
      maxFailuresPerUser: r.int('LOGIN_MAX_FAILURES', 5, 1, 1000),
      maxFailuresPerAddress: r.int('LOGIN_MAX_FAILURES_PER_IP', 30, 1, 100000),
      maxFailuresPerAccount: r.int('LOGIN_MAX_FAILURES_PER_ACCOUNT', 100, 1, 1000000),
      windowSeconds: r.int('LOGIN_WINDOW_SECONDS', 900, 1, 86400),
    },
    signup: {
      accountsPerAddress: r.int('REGISTER_MAX_PER_IP_HOUR', 100, 1, 1000000),
      visitorsPerAddress: r.int('VISITOR_MAX_PER_IP_HOUR', 200, 1, 1000000),
    },
    messageRetentionDays: r.int('MESSAGE_RETENTION_DAYS', 0, 0, 36500),
    ws: {
      maxPayloadBytes: r.int('WS_MAX_PAYLOAD', 64 * 1024, 1024, 16 * 1024 * 1024),
      maxBufferedBytes: r.int('WS_MAX_BUFFERED', 8 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
      connectsPerMinute: r.int('WS_CONNECTS_PER_MINUTE', 120, 0, 1_000_000),
      framesPerMinute: r.int('WS_FRAMES_PER_MINUTE', 600, 1, 1_000_000),
      pingIntervalMs: r.int('WS_PING_INTERVAL_SECONDS', 30, 1, 3600) * 1000,
      socketsPerUser: r.int('WS_SOCKETS_PER_USER', 64, 1, 10_000),
    },
    cache: {
      users: r.int('CACHE_USERS', 20_000, 0, 10_000_000),
      pairs: r.int('CACHE_FRIEND_PAIRS', 50_000, 0, 10_000_000),
      groups: r.int('CACHE_GROUPS', 2_000, 0, 1_000_000),
      ttlMs: r.int('CACHE_TTL_SECONDS', 300, 1, 86_400) * 1000,
    },
    docsEnabled: r.bool('DOCS_ENABLED', true),
    web: { enabled: r.bool('WEB_ENABLED', true), root: path.resolve(r.str('WEB_ROOT', PACKAGE_WEB_ROOT)) },
    metricsToken: r.raw('METRICS_TOKEN'),
    corsOrigins: parseOrigins(r),
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_SECONDS', 5, 0, 600) * 1000,
    unknownKeys: unknownKeys(env, fromFile),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

/** The process's own environment, for commands that are given theirs (src/cli/io.ts). */
export const processEnvironment = (): NodeJS.ProcessEnv => process.env;

/**
 * The environment with the settings of a `.env` file added (in the working directory, when there
 * is one); a variable set in the environment wins over the file. `fromFile` names the file's keys.
 */
export function environment(file = '.env', base: Env = process.env): { env: Env; fromFile: string[] } {
  if (!fs.existsSync(file)) return { env: base, fromFile: [] };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
  const parsed = parseEnv(text);
  return { env: { ...parsed, ...base }, fromFile: Object.keys(parsed) };
}

const known = new Set<string>(KNOWN_KEYS);

/** Every unknown key of the `.env` file, and environment variables that look like a setting. */
function unknownKeys(env: Env, fromFile: readonly string[]): Config['unknownKeys'] {
  const out: Config['unknownKeys'] = [];
  for (const key of Object.keys(env)) {
    if (known.has(key)) continue;
    const suggestion = nearestSetting(key);
    if (fromFile.includes(key) || suggestion !== undefined || key.startsWith('NATTER_') || key.startsWith('S3_')) {
      out.push(suggestion === undefined ? { key } : { key, suggestion });
    }
  }
  return out;
}

/** The setting `key` is most likely a misspelling of: at most two edits away (keys of 5+ characters). */
function nearestSetting(key: string): string | undefined {
  if (key.length < 5) return undefined;
  let best: { k: string; d: number } | undefined;
  for (const k of KNOWN_KEYS) {
    const d = editDistance(key.toUpperCase(), k);
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
