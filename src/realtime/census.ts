import type { Bus, BusEvent } from '../bus/port.js';

/**
 * Who is online, asked over the bus (the admin command's `sessions` and `counts`). Every node
 * subscribes to NODES_TOPIC; a census request names a reply topic, and each node answers there at
 * once with what it holds: its open sockets, the users they belong to and, when the request names
 * a user, that user's sockets. Nodes answer from memory, never from the store.
 */
export const NODES_TOPIC = 'admin:nodes';

/** Reply topics start with this (the local bridge lets its clients subscribe to these only). */
export const REPLY_TOPIC_PREFIX = 'admin:reply:';

export interface CensusRequest {
  v: 1;
  type: 'census';
  reply: string;
  user?: number;
}

export interface CensusAnswer {
  v: 1;
  type: 'census-answer';
  node: string;
  /** Open sockets on the node, of every user and state. */
  sockets: number;
  /** Users with at least one open socket on the node. */
  users: number;
  /** The requested user's open sockets on the node, and whether one of them receives. */
  user?: { id: number; sockets: number; receiving: boolean };
}

/** What a node reports about itself. */
export interface CensusSource {
  nodeId: string;
  totals(): { sockets: number; users: number };
  userSockets(userId: number): { sockets: number; receiving: boolean };
}

export function isCensusRequest(ev: BusEvent): ev is BusEvent & CensusRequest {
  return (
    ev.type === 'census' &&
    typeof ev.reply === 'string' &&
    ev.reply.startsWith(REPLY_TOPIC_PREFIX) &&
    (ev.user === undefined || (typeof ev.user === 'number' && Number.isSafeInteger(ev.user)))
  );
}

/**
 * Answers census requests on the bus for `source` until the returned function is called. The
 * answer is published synchronously inside the handler, so on an in-process bus it is out before
 * the request's publish resolves.
 */
export async function answerCensus(bus: Bus, source: CensusSource, onError: (err: unknown) => void): Promise<() => Promise<void>> {
  return bus.subscribe(NODES_TOPIC, (ev) => {
    if (!isCensusRequest(ev)) return;
    const answer: CensusAnswer = { v: 1, type: 'census-answer', node: source.nodeId, ...source.totals() };
    if (ev.user !== undefined) answer.user = { id: ev.user, ...source.userSockets(ev.user) };
    bus.publish(ev.reply, answer as unknown as BusEvent).catch(onError);
  });
}

/** Census answers of every node that answered, one per node. */
export async function askNodes(bus: Bus, o: { user?: number; waitMs: number; replyId: string }): Promise<CensusAnswer[]> {
  const reply = `${REPLY_TOPIC_PREFIX}${o.replyId}`;
  const answers = new Map<string, CensusAnswer>();
  const off = await bus.subscribe(reply, (ev) => {
    const a = ev as Partial<CensusAnswer>;
    if (a.type === 'census-answer' && typeof a.node === 'string' && typeof a.sockets === 'number' && typeof a.users === 'number')
      answers.set(a.node, a as CensusAnswer);
  });
  try {
    const request: CensusRequest = { v: 1, type: 'census', reply, ...(o.user === undefined ? {} : { user: o.user }) };
    await bus.publish(NODES_TOPIC, request as unknown as BusEvent);
    if (o.waitMs > 0) await new Promise((r) => setTimeout(r, o.waitMs));
  } finally {
    await off();
  }
  return [...answers.values()];
}
