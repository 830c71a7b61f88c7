/**
 * Notices carry deep links into the app's pages (`redirect.url`, spec §5.2); these are the
 * client's screens that do the same thing. Unknown pages map to nothing (the notice stays text).
 */
export interface Target {
  name: string;
  params?: Record<string, string>;
}

export function targetOf(url: string | undefined): Target | null {
  if (!url) return null;
  const [path = '', qs = ''] = url.split('?');
  const q = new URLSearchParams(qs);
  const action = q.get('action');
  if (path.endsWith('/applyMyfriend')) return action === 'grouplist' ? { name: 'groups' } : { name: 'applies' };
  if (path.endsWith('/friendsList')) return { name: 'contacts' };
  if (path.endsWith('/search')) return { name: 'search' };
  if (path.endsWith('/loginCenter')) return { name: 'login' };
  if (!path.endsWith('/setpageInfo')) return null;
  switch (action) {
    case 'userinfoSet':
      return { name: 'profile' };
    case 'chatset':
    case 'applyAddMeFriendSet':
      return { name: 'chatset' };
    case 'groupQrcode':
      return { name: 'myQrcode' };
    case 'setPassword':
      return { name: 'password' };
    case 'applyAddGroup':
    case 'autoAddGroup':
      return q.get('id') ? { name: q.get('chatType') === 'single' ? 'contact' : 'group', params: { id: q.get('id')! } } : null;
    default:
      return null;
  }
}
