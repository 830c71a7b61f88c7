/**
 * Local history in IndexedDB, as the app keeps its history in storage: the server keeps no
 * readable history for clients, so what this device received or sent is what it can show.
 * Everything is keyed by the account id, so several accounts on one browser never mix.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Conversation, LocalMessage } from '../stores/model.js';

interface Schema extends DBSchema {
  messages: { key: [number, string]; value: LocalMessage; indexes: { byConv: [number, string, number] } };
  conversations: { key: [number, string]; value: Conversation };
}

export interface History {
  conversations(owner: number): Promise<Conversation[]>;
  messages(owner: number, conv: string): Promise<LocalMessage[]>;
  message(owner: number, key: string): Promise<LocalMessage | undefined>;
  putMessages(list: LocalMessage[]): Promise<void>;
  removeMessage(owner: number, key: string): Promise<void>;
  /** Messages and the list entry they change, in one transaction: both are stored, or neither. */
  save(list: LocalMessage[], c: Conversation): Promise<void>;
  removeConversation(owner: number, conv: string, withMessages: boolean): Promise<void>;
}

export async function openHistory(name = 'natter'): Promise<History> {
  const upgrade = (db: IDBPDatabase<Schema>) => {
    const messages = db.createObjectStore('messages', { keyPath: ['owner', 'key'] });
    messages.createIndex('byConv', ['owner', 'conv', 'create_time']);
    db.createObjectStore('conversations', { keyPath: ['owner', 'conv'] });
  };
  const db = await openDB<Schema>(name, 1, { upgrade });
  const convRange = (owner: number, conv: string) => IDBKeyRange.bound([owner, conv, -Infinity], [owner, conv, Infinity]);
  return {
    conversations: (owner) => db.getAll('conversations', IDBKeyRange.bound([owner, ''], [owner, '\uffff'])),
    messages: (owner, conv) => db.getAllFromIndex('messages', 'byConv', convRange(owner, conv)),
    message: (owner, key) => db.get('messages', [owner, key]),
    async putMessages(list) {
      if (list.length === 0) return;
      const tx = db.transaction('messages', 'readwrite');
      await Promise.all([...list.map((m) => tx.store.put(toPlain(m))), tx.done]);
    },
    removeMessage: (owner, key) => db.delete('messages', [owner, key]),
    async save(list, c) {
      const tx = db.transaction(['conversations', 'messages'], 'readwrite');
      const jobs: Promise<unknown>[] = [tx.done];
      try {
        for (const m of list) jobs.push(tx.objectStore('messages').put(toPlain(m)));
        jobs.push(tx.objectStore('conversations').put(toPlain(c)));
      } catch (e) {
        // A row refused at once (no key) does not end the transaction by itself: what was put
        // before it must not be kept either.
        for (const j of jobs) j.catch(() => undefined);
        tx.abort();
        throw e;
      }
      await Promise.all(jobs);
    },
    async removeConversation(owner, conv, withMessages) {
      const tx = db.transaction(['conversations', 'messages'], 'readwrite');
      const jobs: Promise<unknown>[] = [tx.objectStore('conversations').delete([owner, conv])];
      if (withMessages) {
        const keys = await tx.objectStore('messages').index('byConv').getAllKeys(convRange(owner, conv));
        for (const k of keys) jobs.push(tx.objectStore('messages').delete(k));
      }
      await Promise.all([...jobs, tx.done]);
    },
  };
}

/** Vue's reactive proxies cannot be cloned into IndexedDB: store plain copies. */
function toPlain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
