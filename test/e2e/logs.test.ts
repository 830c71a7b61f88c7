import { expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';
import { WsClient } from '../helpers/ws.js';

/** What the logs say, and what they never say: bearer tokens, wherever a client put them. */
describeEachDialect(
  'logs',
  (h) => {
    it('never write a token: query string, token header, Authorization, body, socket URL', async () => {
      const s = h.server;
      const u = await s.client.register();
      const secret = u.token;
      await s.client.get(`/api/chat/groupQrcode/1?type=group&token=${encodeURIComponent(secret)}`);
      await s.client.get(`/api/chat/grouplist/1?access_token=${encodeURIComponent(secret)}&token=${encodeURIComponent(secret)}`);
      await s.client.post('/api/chat/chatGetmessageOffLine', {}, { headers: { authorization: `Bearer ${secret}` } });
      await s.client.post('/api/chat/chatGetmessageOffLine', { token: secret });
      await s.client.post('/api/chat/searchUser', { keyword: 'x' }, { token: secret });
      const ws = await WsClient.ready(s.url, secret);
      ws.close();
      await ws.closed();
      await expect.poll(() => s.logs.some((l) => l.msg === 'websocket closed' && l.userId === u.id)).toBe(true);
      const text = JSON.stringify(s.logs);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.split('.')[2]);
      expect(text).toContain('token=[redacted]');
    });

    it('record sockets opened, closed (with code and reason) and refused (with the reason, never the token), by user id', async () => {
      const s = h.server;
      const u = await s.client.register();
      const ws = await WsClient.ready(s.url, u.token);
      const opened = s.logs.find((l) => l.msg === 'websocket opened' && l.userId === u.id);
      expect(opened).toMatchObject({ userId: u.id, conn: expect.any(String) });
      ws.ws.close(4321, 'bye now');
      await ws.closed();
      await expect
        .poll(() => s.logs.find((l) => l.msg === 'websocket closed' && l.userId === u.id))
        .toMatchObject({ code: 4321, reason: 'bye now' });
      const bad = await WsClient.connect(s.url, 'not-a-token');
      await bad.closed();
      await expect
        .poll(() => s.logs.find((l) => l.msg === 'websocket refused'))
        .toMatchObject({ reason: 'invalid', address: expect.any(String) });
      expect(JSON.stringify(s.logs)).not.toContain('not-a-token');
    });
  },
  { env: { LOG_LEVEL: 'debug' } },
);
