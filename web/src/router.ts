/**
 * Hash routes (`#/chat/single/12`): no server-side fallback needed, and a reload keeps the screen.
 * Each route names a view registered in views/registry.ts.
 */
import { computed, ref } from 'vue';

export interface Route {
  name: string;
  params: Record<string, string>;
  query: Record<string, string>;
}

/** Patterns in order; `:x` captures one segment. */
const PATTERNS: [string, string][] = [
  ['chats', '/chats'],
  ['chat', '/chat/:chatType/:id'],
  ['notice', '/notice/:key'],
  ['login', '/login'],
  ['register', '/register'],
  ['contacts', '/contacts'],
  ['contact', '/contact/:id'],
  ['search', '/search'],
  ['applies', '/applies'],
  ['groups', '/groups'],
  ['groupCreate', '/group-create'],
  ['group', '/group/:id'],
  ['me', '/me'],
  ['profile', '/me/profile'],
  ['password', '/me/password'],
  ['chatset', '/me/chatset'],
  ['myQrcode', '/me/qrcode'],
];

/** The app's page that a scanned QR code opens (spec §8.5): `action=autoAddGroup&chatType=group|single&id=…`. */
const QR_PAGE = '/pages/setpageInfo/setpageInfo';

export function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const at = raw.indexOf('?');
  const path = at < 0 ? raw : raw.slice(0, at);
  const qs = at < 0 ? '' : raw.slice(at + 1);
  const query = Object.fromEntries(new URLSearchParams(qs));
  if (path.replace(/\/+$/, '') === QR_PAGE && query.action === 'autoAddGroup' && /^[1-9]\d*$/.test(query.id ?? '')) {
    if (query.chatType === 'single') return { name: 'contact', params: { id: query.id! }, query: {} };
    if ((query.chatType ?? 'group') === 'group') return { name: 'group', params: { id: query.id! }, query: {} };
  }
  const segs = path.split('/').filter(Boolean);
  for (const [name, pattern] of PATTERNS) {
    const parts = pattern.split('/').filter(Boolean);
    if (parts.length !== segs.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((p, i) => {
      const s = decodeURIComponent(segs[i]!);
      if (p.startsWith(':')) return ((params[p.slice(1)] = s), true);
      return p === s;
    });
    if (ok) return { name, params, query };
  }
  return { name: 'chats', params: {}, query };
}

export function href(name: string, params: Record<string, string | number> = {}, query: Record<string, string> = {}): string {
  const pattern = PATTERNS.find(([n]) => n === name)?.[1] ?? '/chats';
  const path = pattern.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(String(params[k] ?? '')));
  const qs = new URLSearchParams(query).toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

const current = ref<Route>(parse(globalThis.location?.hash ?? ''));
globalThis.addEventListener?.('hashchange', () => (current.value = parse(location.hash)));

export const route = computed(() => current.value);

export function go(name: string, params: Record<string, string | number> = {}, query: Record<string, string> = {}): void {
  const target = href(name, params, query);
  if (location.hash === target) return;
  location.hash = target;
}

export function replace(name: string, params: Record<string, string | number> = {}): void {
  history.replaceState(null, '', href(name, params));
  current.value = parse(location.hash);
}

/** The list ("master") screen a route belongs to: drives the tab bar and the left pane. */
export function sectionOf(r: Route): 'chats' | 'contacts' | 'groups' | 'me' {
  if (['contacts', 'contact', 'search', 'applies'].includes(r.name)) return 'contacts';
  if (['groups', 'group', 'groupCreate'].includes(r.name)) return 'groups';
  if (['me', 'profile', 'password', 'chatset', 'myQrcode', 'login', 'register'].includes(r.name)) return 'me';
  return 'chats';
}

/** Routes that are a list themselves (shown alone on a phone, in the left pane on a desktop). */
export function isListRoute(r: Route): boolean {
  return ['chats', 'contacts', 'groups', 'me'].includes(r.name);
}
