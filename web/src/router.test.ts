import { describe, expect, it } from 'vitest';
import { href, parse } from './router.js';

describe('parse', () => {
  it('reads the named routes with params and query', () => {
    expect(parse('#/group/12')).toEqual({ name: 'group', params: { id: '12' }, query: {} });
    expect(parse('#/chat/group/7?name=a%20b&avatar=x')).toEqual({
      name: 'chat',
      params: { chatType: 'group', id: '7' },
      query: { name: 'a b', avatar: 'x' },
    });
    expect(parse('#/nowhere')).toEqual({ name: 'chats', params: {}, query: {} });
    expect(parse(href('groupCreate'))).toMatchObject({ name: 'groupCreate' });
  });

  it('opens a scanned group QR code (H5 link) as the group page', () => {
    const hash = '#/pages/setpageInfo/setpageInfo?action=autoAddGroup&title=%E7%BE%A4%E4%BB%8B%E7%BB%8D&id=42&chatType=group&name=甲、乙';
    expect(parse(hash)).toEqual({ name: 'group', params: { id: '42' }, query: {} });
  });

  it('keeps the id when the raw group name holds ? or &', () => {
    expect(parse('#/pages/setpageInfo/setpageInfo?action=autoAddGroup&id=5&chatType=group&name=a?b&c=d')).toMatchObject({
      name: 'group',
      params: { id: '5' },
    });
  });

  it('opens a scanned personal QR code as the contact page', () => {
    const hash = '#/pages/setpageInfo/setpageInfo?action=autoAddGroup&title=x&id=9&chatType=single&name=bob&avatar=http://h/a.png';
    expect(parse(hash)).toEqual({ name: 'contact', params: { id: '9' }, query: {} });
  });

  it('ignores other actions, a missing or bad id, and unknown chat types', () => {
    expect(parse('#/pages/setpageInfo/setpageInfo?action=chatset').name).toBe('chats');
    expect(parse('#/pages/setpageInfo/setpageInfo?action=autoAddGroup&chatType=group').name).toBe('chats');
    expect(parse('#/pages/setpageInfo/setpageInfo?action=autoAddGroup&id=0&chatType=group').name).toBe('chats');
    expect(parse('#/pages/setpageInfo/setpageInfo?action=autoAddGroup&id=x1&chatType=group').name).toBe('chats');
    expect(parse('#/pages/setpageInfo/setpageInfo?action=autoAddGroup&id=3&chatType=other').name).toBe('chats');
  });
});
