import { messageJson as json, type ChatMessage } from '../domain/message.js';

/**
 * The last chat frame built, as bytes: a group message's recipients are written in one loop
 * within the same millisecond, so they share one buffer (no per-socket string or copy).
 */
let last: { msg: ChatMessage; now: number; bytes: Buffer } | undefined;

const chatText = (msg: ChatMessage, now: number): string => `{"type":"singleChat","data":${json(msg)},"timestamp":${now}}`;

function chatBytes(msg: ChatMessage, now: number): Buffer {
  if (last?.msg !== msg || last.now !== now) last = { msg, now, bytes: Buffer.from(chatText(msg, now)) };
  return last.bytes;
}

/** Text frames of the WebSocket protocol (spec §5). */
export const frames = {
  /** Every pushed chat message or notice, group messages included: `{"type":"singleChat","data":…,"timestamp":…}`. */
  chat: chatText,
  /** The same frame as UTF-8 bytes, shared by every socket it is written to in the same millisecond. */
  chatBytes,
  welcome: (now: number): string => JSON.stringify({ type: 'system', data: '欢迎您访问我们的系统！', timestamp: now }),
  ping: (): string => '{"type":"ping"}',
  pong: (now: number): string => JSON.stringify({ type: 'pong', timestamp: now }),
  fail: (reason: string): string => JSON.stringify({ msg: 'fail', data: reason }),
  /** The answer to a client's hello (docs/protocol.md): the features offered among those asked for, and the limits. */
  hello: (features: readonly string[], max: HelloLimits): string => JSON.stringify({ type: 'hello', features, max }),
  /** A send frame's message is stored: the message as E20 answers it (the same text as its pushes). */
  ack: (cid: string, msg: ChatMessage): string => `{"type":"ack","cid":${JSON.stringify(cid)},"msg":"ok","data":${json(msg)}}`,
  /** A send frame was refused, with the text E20 would answer. */
  ackFail: (cid: string, reason: string): string => JSON.stringify({ type: 'ack', cid, msg: 'fail', data: reason }),
};

/** What a hello answer tells the client about sending over the socket. */
export interface HelloLimits {
  /** Largest frame the server reads; a bigger one closes the socket (1009): send it over HTTP. */
  frameBytes: number;
  /** Frames per minute before the socket is closed (1008). */
  framesPerMinute: number;
  /** Sends awaiting their ack at once; beyond it a send is refused at once. */
  inFlight: number;
  /** Longest client id. */
  cidLength: number;
}

/**
 * Close codes. Seed clients reconnect only after 1006 (no close frame); any other code means
 * "signed out": the server closes a socket only when that is the truth (docs/delivery.md).
 * A refused handshake closes without a status code, as the original server did.
 */
export const CloseCode = {
  /** A login on another device took the account (after the account-anomaly notice). */
  replacedByLogin: 4001,
  /** The session was ended from elsewhere (password changed on another device). */
  sessionEnded: 4003,
  /** The client read too slowly; unsent messages wait for chatGetmessageOffLine. */
  slowConsumer: 4008,
  /** The client sent more frames than WS_FRAMES_PER_MINUTE allows. */
  tooManyFrames: 1008,
  /** Catching up failed on the server; nothing is lost: a reconnect catches up again. */
  deliveryFailed: 1011,
} as const;

/** Handshake failure texts (spec §5.1). */
export const HANDSHAKE = {
  missing: '缺少 token 参数',
  expired: 'token 已过期',
  invalid: 'Token 不合法',
  user_missing: '用户不存在',
  disabled: '你已被管理员禁用',
} as const;
