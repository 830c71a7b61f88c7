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
  /**
   * The user's session changed: a login started `sid`, or `sid` ended (logout, password change).
   * `quiet`: the change came from the device that held the old session, whose sockets are then
   * retired without being closed (see docs/delivery.md).
   */
  | { v: 1; type: 'session'; action: 'started' | 'ended'; sid: string; at: number; quiet: boolean }
  /** Socket `conn` of session `sid`, opened at `at` on node `node`, receives for the user now: older ones stand by. */
  | { v: 1; type: 'socket'; sid: string; node: string; conn: string; at: number }
  /** The account was disabled: every socket of the user closes. */
  | { v: 1; type: 'disabled' }
  /** The receiving socket `conn` of session `sid` closed: the newest socket of that session standing by anywhere takes over. */
  | { v: 1; type: 'vacated'; sid: string; conn: string };
