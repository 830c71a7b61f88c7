import { chatTypeParam } from '../domain/send.js';
import { USERNAME_PATTERN } from '../domain/user.js';
import { p } from './params.js';

/** Parameter specs several routes share (same name, same rule, same words in their messages). */

export const page = p.int('页码', { required: true, min: 1, path: true });

export const limit = (def: number, max: number) => p.int('每页多少条', { def, min: 1, max, clamp: true });

/** A new account's username: the documented rule (DESIGN §11, Q3). */
export const newUsername = p.str('账号', {
  required: true,
  min: 4,
  max: 20,
  pattern: { re: USERNAME_PATTERN, message: '账号 只能包含字母、数字和下划线' },
});

export const password = p.str('密码', { required: true, min: 6, max: 20 });

/** Credentials of a login: any 4–20 characters (accounts imported from the original may have any). */
export const loginCredentials = { username: p.str('账号', { required: true, min: 4, max: 20 }), password };

export const chatType = chatTypeParam;

export const groupId = p.id('群id');

/** A user's uuid, in the path (E16, E17). */
export const uuid = p.str('uuid值', { required: true, min: 36, max: 36, path: true });
