import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';
import type { TestServer } from '../helpers/server.js';
import { visitorSign } from '../helpers/visitor-client.js';

/**
 * Every route of openapi.json, fed what no client should send: wrong types, objects and arrays
 * where scalars belong, huge values, NUL bytes, malformed JSON and multipart bodies. Every answer
 * must be a 4xx (or 2xx) in the `{msg, data}` envelope; the test server fails its close() on any
 * 5xx, with the logged error.
 */
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string }[];
  fields: string[];
  multipart: boolean;
}

function operations(): Operation[] {
  const doc = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../openapi.json'), 'utf8')) as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { name: string; in: string }[];
          requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
        }
      >
    >;
  };
  const out: Operation[] = [];
  for (const [p, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content ?? {};
      const fields = new Set<string>();
      for (const c of Object.values(content)) for (const k of Object.keys(c.schema?.properties ?? {})) fields.add(k);
      out.push({
        method: method.toUpperCase(),
        path: p,
        params: op.parameters ?? [],
        fields: [...fields],
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return out;
}

const HOSTILE: unknown[] = [
  { a: 1 },
  [1, 2],
  [],
  {},
  null,
  true,
  false,
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  '1e309',
  '9'.repeat(60),
  '-9'.repeat(30),
  'x'.repeat(20_000),
  'a\u0000b',
  '%',
  '..%2F..%2Fetc',
  '<script>',
  '{"__proto__":{"x":1}}',
  '😀'.repeat(100),
  ' ',
  'NaN',
  'Infinity',
];

const pathValue = (v: unknown): string => encodeURIComponent(typeof v === 'string' ? v.slice(0, 2000) : (JSON.stringify(v) ?? 'null'));

const RAW_BODIES: { type: string; body: string | Buffer }[] = [
  { type: 'application/json', body: '{' },
  { type: 'application/json', body: '[1,2,3]' },
  { type: 'application/json', body: '"text"' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '{"a":' + '['.repeat(5000) },
  { type: 'application/x-www-form-urlencoded', body: 'a[b][c]=1&a=2&%ZZ=1&x' },
  { type: 'multipart/form-data', body: 'no boundary' },
  {
    type: 'multipart/form-data; boundary=XB',
    body: '--XB\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG\r\n',
  },
  { type: 'multipart/form-data; boundary=XB', body: '--XB\r\nbroken header\r\n\r\nzz\r\n--XB--\r\n' },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/octet-stream', body: Buffer.from([0, 1, 2, 255]) },
];

describeEachDialect('fuzz: every route of openapi.json answers bad input with a 4xx envelope, never a 5xx', (h) => {
  const ops = operations();

  it('covers every route', () => {
    expect(ops.length).toBeGreaterThanOrEqual(44);
  });

  async function request(s: TestServer, method: string, url: string, headers: Record<string, string>, body?: string | Buffer) {
    const res = await fetch(s.url + url, { method, headers, body: method === 'GET' ? undefined : body });
    const text = await res.text();
    return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
  }

  function expectEnvelope(r: { status: number; text: string; type: string }, what: string): void {
    expect(r.status, `${what} -> ${r.status} ${r.text.slice(0, 200)}`).toBeLessThan(500);
    if (r.status >= 400 && r.type.includes('json')) {
      const body = JSON.parse(r.text) as { msg: unknown; data: unknown };
      expect(body.msg, what).toBe('fail');
      expect(typeof body.data, `${what}: ${r.text.slice(0, 200)}`).toBe('string');
    }
  }

  for (const op of ops) {
    if (op.path === '/metrics' || op.path === '/healthz') continue;
    it(`${op.method} ${op.path}`, async () => {
      const s = h.server;
      const u = await s.client.register();
      const device = '0123456789abcdef0123456789abcdef0123';
      const ts = String(Date.now());
      const headers = { token: u.token, 'x-security-sign': visitorSign(device, ts) };
      const pathWith = (value: unknown) => op.path.replace(/\{[^}]+\}/g, () => pathValue(value));
      const fields = [...op.fields, ...op.params.filter((p) => p.in !== 'path').map((p) => p.name)];
      const base: Record<string, unknown> = { deviceId: device, timestamp: ts };

      for (const v of HOSTILE) {
        const url = pathWith(v);
        // every field at once, as JSON and as a form
        const all = Object.fromEntries(fields.map((f) => [f, v]));
        expectEnvelope(
          await request(s, op.method, url, { ...headers, 'content-type': 'application/json' }, JSON.stringify({ ...base, ...all })),
          `${op.path} all=${JSON.stringify(v)?.slice(0, 40)}`,
        );
        const form = new URLSearchParams(
          Object.entries(all).map(([k, x]): [string, string] => [k, typeof x === 'string' ? x : (JSON.stringify(x) ?? '')]),
        );
        expectEnvelope(
          await request(
            s,
            op.method,
            `${url}?${form.toString().slice(0, 4000)}`,
            { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
            form.toString(),
          ),
          `${op.path} form`,
        );
        // one field at a time, the others absent
        for (const f of fields) {
          expectEnvelope(
            await request(s, op.method, url, { ...headers, 'content-type': 'application/json' }, JSON.stringify({ ...base, [f]: v })),
            `${op.path} ${f}=${JSON.stringify(v)?.slice(0, 40)}`,
          );
        }
      }
      for (const raw of RAW_BODIES) {
        expectEnvelope(
          await request(s, op.method, pathWith(1), { ...headers, 'content-type': raw.type }, raw.body),
          `${op.path} raw ${raw.type}`,
        );
      }
      // the session is still usable (no route was made to end it by bad input, except logout itself)
      if (op.path !== '/api/chat/logout') {
        const again = await s.client.post('/api/chat/chatGetmessageOffLine', {}, { token: u.token });
        expect(again.status, 'session still works').toBe(200);
      }
    }, 120_000);
  }
});
