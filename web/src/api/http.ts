/** Requests to the seed API: JSON bodies, the `token` header, and the `{msg, data}` envelope. */

/** A failure the server answered: `message` is its `data` text, shown to the person as it is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The token the request carried: a session that ended is only acted on if it is still the current one. */
    readonly token: string | null = null,
  ) {
    super(message);
  }
  /** The session is gone (logged out, replaced, password changed): sign the device out. */
  get sessionEnded(): boolean {
    return this.status === 400 && SESSION_ENDED.has(this.message);
  }
}

/** The network failed or the server did not answer in the envelope: worth retrying. */
export class NetworkError extends Error {}

const SESSION_ENDED = new Set([
  'Token 令牌不合法！',
  'Token已过期！请重新获取令牌',
  '当前用户不存在或者已被禁用',
  '您没有权限访问即时通讯接口',
]);

export interface RequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

type Envelope = { msg: string; data: unknown };

function isEnvelope(x: unknown): x is Envelope {
  return typeof x === 'object' && x !== null && 'msg' in x && 'data' in x;
}

async function call<T>(method: 'GET' | 'POST', path: string, body: BodyInit | undefined, opts: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token) headers.token = opts.token;
  if (typeof body === 'string') headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, signal: opts.signal ?? null });
  } catch (e) {
    throw new NetworkError(e instanceof Error ? e.message : String(e));
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!isEnvelope(json)) throw new NetworkError(`HTTP ${res.status}`);
  if (res.ok && json.msg === 'ok') return json.data as T;
  const text = typeof json.data === 'string' ? json.data : res.status >= 500 ? `HTTP ${res.status}` : JSON.stringify(json.data);
  throw new ApiError(res.status, text, opts.token ?? null);
}

export const http = {
  get: <T>(path: string, opts: RequestOptions = {}) => call<T>('GET', path, undefined, opts),
  post: <T>(path: string, body: object = {}, opts: RequestOptions = {}) => call<T>('POST', path, JSON.stringify(body), opts),
  upload: <T>(path: string, form: FormData, opts: RequestOptions = {}) => call<T>('POST', path, form, opts),
};
