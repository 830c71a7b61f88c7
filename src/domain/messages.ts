/**
 * User-facing texts of the public contract. Clients match on some of them, so they are kept
 * byte for byte as the seed API returns them.
 */
export const MSG = {
  // authentication (spec §1.6)
  tokenMissing: '您没有权限访问即时通讯接口',
  tokenExpired: 'Token已过期！请重新获取令牌',
  tokenInvalid: 'Token 令牌不合法！',
  userGoneOrDisabled: '当前用户不存在或者已被禁用',
  visitorForbidden: '您没有权限访问，请先注册或登录',
  // accounts (E01, E02, E41)
  accountExists: '该账号已存在，请换一个账号注册',
  accountMissingOrDisabled: '账号不存在或者被禁用',
  wrongPassword: '账户或密码错误',
  loginFailed: '登录失败',
  loginThrottled: '登录失败次数过多，请稍后再试',
  passwordMismatch: '新密码与确认新密码不一致',
  passwordUserMissing: '用户不存在，无法修改密码',
  passwordOldWrong: '原始密码错误，无法修改密码',
  passwordChanged: '修改密码成功',
  // profile (E34)
  usernameImmutable: '账号不可修改',
  nicknameTooLong: '昵称长度不能超过30个字符',
  avatarTooLong: '头像地址过长不能超过1000个字符',
  inviteConfirmInvalid: '添加我为好友设置值错误',
  profileUserMissing: '用户不存在，无法修改信息',
  nicknameChanged: '修改昵称成功',
  avatarChanged: '头像更新成功',
  settingSaved: '设置成功',
  // sending (E20, spec §8.1)
  recipientGone: '对方不存在或者被禁用，不能发消息',
  visitorBlacklisted: '对方把你拉黑了，不能发消息',
  visitorSystemBlocked: '系统把你们拉黑了，不能发消息',
  visitorNotFriend: '你们不是好友关系，对方设置成：先登录才能发消息',
  oneMessageOnly: '在成为好友之前，对方只允许向他发一条消息',
  userBlacklisted: '对方把你拉黑了，不能发送消息',
  userSystemBlocked: '系统把你们拉黑了，不能发送消息',
  friendsOnly: '对方设置成：需要您先成为他的好友才能发消息',
  groupUnavailable: '群不存在或者已解散或者被封禁，无法发消息',
  notInGroup: '您不在群里，无法发消息',
  // friends (E04–E12, E17, E19, E33, E39, E40)
  cannotAddSelf: '不能添加自己为好友',
  friendTargetMissing: '添加的好友不存在',
  alreadyApplied: '您已经申请过了，请勿重复申请',
  applyNotFound: '申请不存在或已处理',
  friendMissing: '好友不存在',
  friendMissingOrBlack: '好友不存在或者被拉黑，无法操作',
  notFriend: '不是好友',
  notFriendNoRight: '不是好友关系，无权操作',
  friendDeleted: '删除好友成功',
  userMissing: '用户不存在',
  applyInfoMissing: '用户申请信息不存在',
  needApproval: '需要对方审核，不能自动加对方为好友',
  notAddable: '用户不存在或者为游客，无法加为好友',
  friendsNow: '我们已经是好友了，可以开始聊天了',
  // generic
  notFound: '接口不存在',
  internal: '服务器内部错误，请稍后再试',
  systemBusy: '系统异常，请稍后再试',
  tooManyRequests: '请求过于频繁，请稍后再试',
  payloadTooLarge: '请求内容过大',
  badRequest: '请求格式错误',
} as const;
