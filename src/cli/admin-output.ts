import type { Reach } from '../compose/admin.js';
import type { Counts } from '../services/admin.js';

/** How running nodes were reached, as `--json` shows it. */
export type ReachView =
  | { via: 'redis' }
  | { via: 'socket'; socket: string; listening: boolean; reason?: string }
  | { via: 'none'; reason: 'ADMIN_SOCKET is off' };

export function describeReach(r: Reach): ReachView {
  if (r.via === 'redis') return { via: 'redis' };
  if (r.via === 'none') return { via: 'none', reason: 'ADMIN_SOCKET is off' };
  return { via: 'socket', socket: r.file, listening: r.listening, ...(r.reason === undefined ? {} : { reason: r.reason }) };
}

interface UserView {
  id: number;
  username: string;
}

interface SessionView {
  sid: string;
  role: string;
  device: string | null;
  created: string;
  expires: string;
  expired: boolean;
}

/** What a subcommand found or did; `--json` prints it as is (with `ok: true`). */
export type Result =
  | { kind: 'created'; user: UserView; password?: string }
  | { kind: 'password'; user: UserView; password?: string; reach: ReachView }
  | { kind: 'status'; user: UserView; status: 'active' | 'disabled'; reach?: ReachView }
  | {
      kind: 'sessions';
      user: UserView & { role: string; status: string };
      session: SessionView | undefined;
      online: boolean | null;
      sockets: number | null;
      receiving: boolean | null;
      nodes: number | null;
      reach: ReachView;
    }
  | { kind: 'notice'; user?: UserView; sent: number; reach: ReachView }
  | ({ kind: 'counts'; online: { nodes: number; sockets: number } | null; reach: ReachView } & Counts);

const name = (u: UserView) => `${u.username} (id ${u.id})`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line on how the change reached running nodes. */
function reachLine(r: ReachView, what: string): string {
  if (r.via === 'redis') return `${what}: published over Redis to every running node`;
  if (r.via === 'none') return `${what}: not sent to running nodes (ADMIN_SOCKET is off)`;
  if (r.listening) return `${what}: sent to the running server through ${r.socket}`;
  return `${what}: no server listens on ${r.socket} (none running?), so no running node was told`;
}

function sessionLines(r: Extract<Result, { kind: 'sessions' }>): string[] {
  const s = r.session;
  const session = s
    ? `session  ${s.sid} role ${s.role}${s.device ? `, device ${s.device}` : ''}, created ${s.created}, ${s.expired ? 'expired' : 'expires'} ${s.expires}`
    : 'session  none (logged out, or never logged in)';
  const online =
    r.online === null
      ? `online   unknown (${reachLine(r.reach, 'census').replace(/^census: /, '')})`
      : r.online
        ? `online   yes: ${plural(r.sockets ?? 0, 'socket')}${r.receiving ? ', one receiving' : ', none receiving'} (${plural(r.nodes ?? 0, 'node')} answered)`
        : `online   no (${plural(r.nodes ?? 0, 'node')} answered)`;
  return [`user     ${name(r.user)}, ${r.user.role}, ${r.user.status}`, session, online];
}

/** The human form of a result. */
export function printHuman(r: Result): string {
  switch (r.kind) {
    case 'created':
      return [`created ${name(r.user)}`, ...(r.password ? [`password: ${r.password}   (generated; shown only this once)`] : [])].join('\n');
    case 'password':
      return [
        `new password set for ${name(r.user)}; their session is ended`,
        ...(r.password ? [`password: ${r.password}   (generated; shown only this once)`] : []),
        reachLine(r.reach, 'sockets closed'),
      ].join('\n');
    case 'status':
      return [`${name(r.user)} is ${r.status}`, ...(r.reach ? [reachLine(r.reach, 'sockets closed')] : [])].join('\n');
    case 'sessions':
      return sessionLines(r).join('\n');
    case 'notice':
      return [`notice stored for ${r.user ? name(r.user) : plural(r.sent, 'account')}`, reachLine(r.reach, 'live push')].join('\n');
    case 'counts':
      return [
        `users    ${r.users.registered} registered, ${plural(r.users.visitors, 'visitor')} (${r.users.disabled} disabled)`,
        `groups   ${r.groups}`,
        `waiting  ${plural(r.waiting, 'message')} not yet delivered`,
        r.online
          ? `online   ${plural(r.online.sockets, 'socket')} on ${plural(r.online.nodes, 'node')}`
          : `online   unknown (${reachLine(r.reach, 'census').replace(/^census: /, '')})`,
      ].join('\n');
  }
}
