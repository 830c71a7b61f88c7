import type { FastifyRequest } from 'fastify';
import { AUTH_FAILURES, failure } from '../domain/failures.js';
import type { User } from '../domain/user.js';
import type { AuthService } from '../services/auth.js';
import type { Claims } from '../services/tokens.js';

/** The authenticated caller of a request. */
export interface Caller {
  user: User;
  claims: Claims;
}

/**
 * What a visitor-mode token may call (spec §1.6): method plus path prefix. This table is the
 * only place the rule lives.
 */
export const VISITOR_WHITELIST: readonly (readonly [method: 'GET' | 'POST', prefix: string])[] = [
  ['POST', '/api/chat/socket/sendmessage'],
  ['POST', '/api/chat/chatGetmessageOffLine'],
  ['GET', '/api/chat/grouplist'],
  ['GET', '/api/chat/groupinfo'],
  ['POST', '/api/chat/groupnickname'],
  ['POST', '/api/chat/groupDeleteOrQuit'],
  ['GET', '/api/chat/groupQrcode'],
  ['POST', '/api/chat/uploadStreamSingleToServerDiy'],
  ['POST', '/api/chat/uploadAliyun'],
  ['POST', '/api/chat/getVideoScreenshot'],
  ['POST', '/api/chat/revokeMessage'],
  ['POST', '/api/chat/updateUserinfo'],
  ['POST', '/api/chat/groupInviteUser'],
  ['POST', '/api/chat/getUserSetInfo'],
  ['POST', '/api/chat/applyfriend'],
  ['POST', '/api/chat/autoAddFriendAndAgree'],
  ['POST', '/api/chat/ismygoodfriend'],
  ['POST', '/api/chat/userset'],
  ['POST', '/api/chat/deletegoodfriend'],
];

export function visitorMayCall(method: string, path: string): boolean {
  return VISITOR_WHITELIST.some(([m, prefix]) => m === method && path.startsWith(prefix));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Header `token`, `Authorization: Bearer`, query `token`, then body `token`. */
export function tokenOf(req: FastifyRequest): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return (
    str(req.headers.token) ??
    bearer?.[1] ??
    str((req.query as Record<string, unknown> | undefined)?.token) ??
    str((req.body as Record<string, unknown> | undefined)?.token)
  );
}

/** The chatUserAuth check of spec §1.6, with the session check the seed only did on HTTP. */
export async function authenticate(auth: AuthService, req: FastifyRequest): Promise<Caller> {
  const res = await auth.authenticate(tokenOf(req));
  if (!res.ok) throw failure(AUTH_FAILURES[res.reason]);
  const path = req.url.split('?')[0] ?? req.url;
  if (res.claims.role === 'visitor' && !visitorMayCall(req.method, path)) {
    throw failure('visitorForbidden');
  }
  return { user: res.user, claims: res.claims };
}
