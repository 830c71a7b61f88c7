import { expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';
import { png, upload } from '../helpers/media.js';

/** What the server shows beyond the API: uploaded files, metrics, documentation. */
describeEachDialect(
  'exposure: uploads, metrics and docs',
  (h) => {
    const DIY = '/api/chat/uploadStreamSingleToServerDiy/exposure';

    it('serves uploads sandboxed (CSP), images inline and other files as attachments', async () => {
      const s = h.server;
      const u = await s.client.register();
      const image = await upload(s, DIY, { token: u.token, file: { data: await png(), name: 'a.png', type: 'image/png' } });
      expect(image.status).toBe(200);
      // a PDF that carries script: downloaded, never opened on this origin
      const pdf = Buffer.from(
        '%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
      );
      const doc = await upload(s, DIY, { token: u.token, file: { data: pdf, name: 'x.pdf', type: 'application/pdf' } });
      expect(doc.status).toBe(200);
      const img = await fetch(s.url + new URL(image.body.data.url, s.url).pathname);
      expect(img.status).toBe(200);
      expect(img.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(img.headers.get('x-content-type-options')).toBe('nosniff');
      expect(img.headers.get('content-disposition')).toBeNull();
      const file = await fetch(s.url + new URL(doc.body.data.url, s.url).pathname);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(file.headers.get('content-disposition')).toBe('attachment');
    });

    it('answers /metrics only with METRICS_TOKEN as a bearer token', async () => {
      const s = h.server;
      const none = await s.client.get('/metrics');
      expect(none.status).toBe(400);
      expect(none.body).toEqual({ msg: 'fail', data: '无权访问监控数据' });
      expect((await s.client.get('/metrics', { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(400);
      const ok = await s.client.get('/metrics', { headers: { authorization: 'Bearer metrics-secret-1' } });
      expect(ok.status).toBe(200);
      expect(String(ok.body)).toMatch(/^natter_ws_connections /m);
    });

    it('hides /docs and /openapi.json with DOCS_ENABLED=false', async () => {
      expect((await h.server.client.get('/docs')).status).toBe(404);
      expect((await h.server.client.get('/openapi.json')).status).toBe(404);
    });
  },
  { env: { METRICS_TOKEN: 'metrics-secret-1', DOCS_ENABLED: 'false' } },
);
