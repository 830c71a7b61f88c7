import { describe, expect, it } from 'vitest';
import { decode, encode, extraOf, kindOf, mediaUrl, textOf } from './content.js';

describe('message content', () => {
  it('round-trips the seed clients’ {data, dataType, otherData} text', () => {
    const data = encode('/public/a.png', 'image', { w: 1 });
    expect(decode(data)).toEqual({ data: '/public/a.png', dataType: 'image', otherData: { w: 1 } });
    expect(kindOf({ type: 'image', data })).toBe('image');
    expect(extraOf({ data, options: { x: 2 } })).toEqual({ x: 2, w: 1 });
  });

  it('shows anything else as text rather than dropping it', () => {
    expect(textOf({ data: 'plain words' })).toBe('plain words');
    expect(textOf({ data: '{"no":"data key"}' })).toBe('{"no":"data key"}');
    expect(kindOf({ type: 'whatever', data: '[1,2]' })).toBe('text');
  });

  it('reads server notices, whose data is an object', () => {
    const m = { type: 'systemNotice', data: { data: '我们已经是好友了', dataType: false as const, otherData: null } };
    expect(kindOf(m)).toBe('notice');
    expect(textOf(m)).toBe('我们已经是好友了');
  });

  it('keeps relative media addresses on this origin and refuses other schemes as paths', () => {
    expect(mediaUrl('/public/uploads/x.png')).toBe('/public/uploads/x.png');
    expect(mediaUrl('https://cdn.example/x.png')).toBe('https://cdn.example/x.png');
    expect(mediaUrl('javascript:alert(1)')).toBe('/javascript:alert(1)');
  });
});
