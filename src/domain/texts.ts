/**
 * Texts the server answers that are not failures: success answers and notices, and what the HTTP
 * layer says on its own for protocol conditions (unknown route, body too large…). Kept byte for
 * byte as the seed API answers them.
 */
export const TEXT = {
  // accounts (E01, E02, E41)
  passwordChanged: '修改密码成功',
  // profile (E34)
  nicknameChanged: '修改昵称成功',
  avatarChanged: '头像更新成功',
  settingSaved: '设置成功',
  // friends (E04–E12, E17, E19, E33, E39, E40)
  friendDeleted: '删除好友成功',
  friendsNow: '我们已经是好友了，可以开始聊天了',
  // groups (E21, E23–E29, E32, E35–E38)
  memberRemoved: '删除群成员成功',
  waitForOwner: '等待群主同意',
  joined: '加群成功',
  handled: '处理成功',
  // generic
  notFound: '404 错误',
  internal: '服务器内部错误，请稍后再试',
  tooManyRequests: '请求过于频繁，请稍后再试',
  payloadTooLarge: '请求内容过大',
} as const;
