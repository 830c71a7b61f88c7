import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Requests and upgrades held while the application starts; more are answered 503. */
const MAX_WAITING = 20_000;

/** A client that stops sending mid-request does not hold its connection for ever. */
const REQUEST_TIMEOUT_MS = 300_000;

/**
 * The HTTP server, made before the application so that the port is bound within a few
 * milliseconds of the process starting: a request or WebSocket that arrives while the database,
 * the bus and the routes load waits and is then served, instead of being refused. A refused
 * connection costs more than a delay: seed clients retry a refused socket from both their error
 * and close handlers, so their attempts double every second until the port answers.
 */
export class HttpEntry {
  readonly server: http.Server;
  private handlers: { request: RequestHandler; upgrade: UpgradeHandler } | undefined;
  private waiting: (() => void)[] = [];
  private appHandler: RequestHandler | undefined;
  private readonly ended: Promise<void>;
  private boundPort = 0;
  private markEnded = (): void => undefined;

  constructor() {
    this.server = http.createServer({ requestTimeout: REQUEST_TIMEOUT_MS });
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    // Fastify's default: longer than the idle timeout of common load balancers.
    this.server.keepAliveTimeout = 72_000;
    this.server.on('request', (req, res) => {
      if (this.handlers) return this.handlers.request(req, res);
      this.hold(
        () => this.handlers?.request(req, res),
        () => {
          res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
          res.end(JSON.stringify({ msg: 'fail', data: '服务器正在启动，请稍后再试' }));
        },
      );
    });
    this.server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      // After 'upgrade' the socket has no error listener of Node's: a reset must not reach the process.
      // (A function of its own: a closure here would keep the request and its buffer for the socket's life.)
      socket.on('error', destroyOnError);
      if (this.handlers) return this.handlers.upgrade(req, socket, head);
      this.hold(
        () => this.handlers?.upgrade(req, socket, head),
        () => socket.destroy(),
      );
    });
  }

  private hold(serve: () => void, refuse: () => void): void {
    if (this.waiting.length >= MAX_WAITING) return refuse();
    this.waiting.push(serve);
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Binds the port (0 picks a free one); resolves to the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: 4096 }, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : port;
        resolve(this.boundPort);
      });
    });
  }

  /** The port bound by `listen` (still known after the server stopped listening). */
  get port(): number {
    return this.boundPort;
  }

  /** For Fastify's `serverFactory`: keeps Fastify's request handler (used from `serve` on) and lends it this server. */
  readonly factory = (handler: RequestHandler): http.Server => {
    this.appHandler = handler;
    return this.server;
  };

  /** The application is ready: what waited is served in arrival order, and everything after it. */
  serve(upgrade: UpgradeHandler): void {
    const request = this.appHandler;
    if (!request) throw new Error('serve() before the application adopted the server');
    this.handlers = { request, upgrade };
    const waiting = this.waiting;
    this.waiting = [];
    for (const serve of waiting) serve();
  }

  /** Stops accepting connections and frees the port; open ones (requests in flight, WebSockets) are left alone. */
  stopListening(): void {
    if (this.server.listening) this.server.close(() => this.markEnded());
    else this.markEnded();
  }

  /**
   * Stops listening, then resolves once every connection ended: idle keep-alive connections are
   * closed as soon as they are idle, and whatever is left after `cutMs` is cut.
   */
  async close(cutMs: number): Promise<void> {
    this.stopListening();
    const sweep = setInterval(() => this.server.closeIdleConnections(), 100);
    const cut = setTimeout(() => this.server.closeAllConnections(), cutMs);
    try {
      this.server.closeIdleConnections();
      await this.ended;
    } finally {
      clearInterval(sweep);
      clearTimeout(cut);
    }
  }
}

/** True when something accepts connections on the port (a successor process after we stopped listening). */
export function someoneListens(port: number, host: string): Promise<boolean> {
  const target = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return new Promise((resolve) => {
    const s = net.connect({ port, host: target });
    s.setTimeout(500);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** An 'error' listener that destroys the stream it is attached to. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}
