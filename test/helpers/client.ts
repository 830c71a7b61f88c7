export interface Answer {
  status: number;
  // Response bodies are asserted field by field in tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  /** Send the body as application/x-www-form-urlencoded instead of JSON. */
  form?: boolean;
  headers?: Record<string, string>;
}

let counter = 0;

/** A small HTTP client for black-box tests. */
export class Client {
  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.token = opts.token;
    let payload: string | undefined;
    if (body !== undefined) {
      if (opts.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams(body as Record<string, string>).toString();
      } else {
        headers['content-type'] = 'application/json';
        payload = typeof body === 'string' ? body : JSON.stringify(body);
      }
    }
    const res = await fetch(this.base + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  post(path: string, body?: unknown, opts?: RequestOptions): Promise<Answer> {
    return this.request('POST', path, body, opts);
  }

  get(path: string, opts?: RequestOptions): Promise<Answer> {
    return this.request('GET', path, undefined, opts);
  }

  /** Registers a new user (unique name unless given) and returns the login data, token included. */
  async register(username?: string, password = '123456'): Promise<{ token: string; id: number; uuid: string; username: string }> {
    const name = username ?? `u${process.pid % 10000}_${Date.now() % 100000}_${counter++}`;
    const res = await this.post('/api/regChat', { username: name, password });
    if (res.status !== 200) throw new Error(`register ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  }
}

/** Every `user` column but the password, plus the token (E02). */
export const LOGIN_KEYS = [
  'id',
  'uuid',
  'username',
  'nickname',
  'avatar',
  'devicefingeruuid',
  'uniplatform',
  'devicemodel',
  'deviceos',
  'devicebrand',
  'userset',
  'invite_confirm',
  'mobile',
  'email',
  'status',
  'last_login',
  'last_login_ip',
  'register_time',
  'register_ip',
  'is_deleted',
  'wechat_openid',
  'qq_openid',
  'weibo_uid',
  'role',
  'is_email_verified',
  'is_mobile_verified',
  'order',
  'create_time',
  'update_time',
  'token',
].sort();
