import type { ChatMessage } from './message.js';

/**
 * Events on a user's bus topic (`u:<id>`), read by whichever node holds that user's socket.
 * Version 1; unknown types are ignored.
 */
export type UserEvent =
  /** A stored message for this user: conversation and its sequence number. */
  | { v: 1; type: 'push'; conv: string; seq: number; msg: ChatMessage }
  /** This user sent message `seq` of `conv`: nothing to show, but their cursor may move past it. */
  | { v: 1; type: 'own'; conv: string; seq: number }
  /** Push everything still waiting for this user (chatGetmessageOffLine). */
  | { v: 1; type: 'drain' }
  /** The user's session changed: a login started `sid`, or `sid` ended (logout, password change). */
  | { v: 1; type: 'session'; action: 'started' | 'ended'; sid: string; at: number; reason?: 'login' | 'upgrade' }
  /** A socket of this user opened on node `node` as connection `conn`: older sockets give way. */
  | { v: 1; type: 'socket'; sid: string; node: string; conn: string };
