/**
 * Message content as the seed's clients write it: `data` is the JSON text of
 * `{data, dataType, otherData}` (server notices send the object itself). Anything else a peer
 * sends is shown as plain text rather than dropped.
 */
import type { Content, WireMessage } from './types.js';

export type Kind = 'text' | 'image' | 'video' | 'audio' | 'file' | 'notice' | 'emoticon';

export function decode(data: WireMessage['data']): Content {
  if (typeof data === 'object' && data !== null) return data;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed === 'object' && parsed !== null && 'data' in parsed) return parsed as Content;
  } catch {
    // a plain string
  }
  return { data, dataType: false, otherData: null };
}

export function encode(data: unknown, dataType: Content['dataType'] = false, otherData: Content['otherData'] = null): string {
  return JSON.stringify({ data, dataType, otherData });
}

export function kindOf(m: Pick<WireMessage, 'type' | 'data'>): Kind {
  if (m.type === 'systemNotice') return 'notice';
  const c = decode(m.data);
  const t = (typeof c.dataType === 'string' && c.dataType) || m.type;
  if (t === 'image' || t === 'video' || t === 'audio' || t === 'file') return t;
  if (t === 'iconMenus') return 'emoticon';
  return 'text';
}

/** The text of a message's content (the URL for media). */
export function textOf(m: Pick<WireMessage, 'data'>): string {
  const v = decode(m.data).data;
  return typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v);
}

export function extraOf(m: Pick<WireMessage, 'data' | 'options'>): Record<string, unknown> {
  return { ...(m.options ?? {}), ...(decode(m.data).otherData ?? {}) };
}

/** Media addresses from the server are relative (`/public/...`): keep them on this origin. */
export function mediaUrl(url: string): string {
  if (/^(https?:|data:|blob:)/i.test(url)) return url;
  return url.startsWith('/') ? url : `/${url}`;
}
