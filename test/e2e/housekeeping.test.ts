import { expect, it } from 'vitest';
import { barrier, drain, OK, online, sendOk, setUserset, textsFrom, UNLIMITED } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { RawDb } from '../helpers/raw-db.js';
import { ManualClock } from '../helpers/server.js';

/**
 * Housekeeping (services/housekeeping.ts, run at start and hourly): MESSAGE_RETENTION_DAYS
 * deletes older messages, delivered or not; ended rate-limit windows are removed.
 */
const DAY = 86_400_000;

const retention = new ManualClock();
describeEachDialect(
  'message retention (MESSAGE_RETENTION_DAYS=2)',
  (h) => {
    it('deletes messages older than the retention: an offline user gets only the newer ones, in order', async () => {
      const s = h.server;
      const from = await s.client.register();
      const to = await s.client.register();
      await setUserset(s, to.token, UNLIMITED);
      await sendOk(s, from.token, to.id, 'old-1');
      await sendOk(s, from.token, to.id, 'old-2');
      retention.advance(2 * DAY + 60_000);
      await sendOk(s, from.token, to.id, 'new-1');
      await sendOk(s, from.token, to.id, 'new-2');
      const { messages } = await s.app.services.housekeeping.run();
      expect(messages).toBeGreaterThanOrEqual(2);
      const c = await online(s, to.token);
      expect((await drain(s, to.token)).body).toEqual(OK);
      await c.waitChats(2, (m) => m.from_id === from.id);
      await barrier(s, from, c, to.id);
      expect(textsFrom(c, from.id)).toEqual(['new-1', 'new-2', expect.stringMatching(/^barrier-/)]);
      c.close();
    });
  },
  { clock: retention, env: { MESSAGE_RETENTION_DAYS: '2' } },
);

const keep = new ManualClock();
describeEachDialect(
  'message retention unset (0 = forever)',
  (h) => {
    it('keeps every message however old, and still clears ended login-throttle windows', async () => {
      const s = h.server;
      const from = await s.client.register();
      const to = await s.client.register();
      await setUserset(s, to.token, UNLIMITED);
      await sendOk(s, from.token, to.id, 'kept');
      // Five failed logins: the username is throttled for LOGIN_WINDOW_SECONDS (15 minutes by default).
      for (let i = 0; i < 5; i++)
        expect((await s.client.post('/api/loginChat', { username: 'nobody_here', password: 'wrong-pw' })).status).toBe(400);
      expect((await s.client.post('/api/loginChat', { username: 'nobody_here', password: 'wrong-pw' })).status).toBe(429);
      const raw = RawDb.open(s.databaseUrl);
      try {
        expect(await raw.countRows('rate_limit')).toBeGreaterThan(0);
        keep.advance(20 * DAY);
        expect(await s.app.services.housekeeping.run()).toEqual({ messages: 0 });
        expect(await raw.countRows('rate_limit')).toBe(0);
      } finally {
        await raw.close();
      }
      const c = await online(s, to.token);
      expect((await drain(s, to.token)).body).toEqual(OK);
      await c.waitChats(1, (m) => m.from_id === from.id);
      expect(textsFrom(c, from.id)).toEqual(['kept']);
      c.close();
    });
  },
  { clock: keep },
);
