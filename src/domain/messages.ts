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
  // generic
  notFound: '接口不存在',
  internal: '服务器内部错误，请稍后再试',
  systemBusy: '系统异常，请稍后再试',
  tooManyRequests: '请求过于频繁，请稍后再试',
  payloadTooLarge: '请求内容过大',
  badRequest: '请求格式错误',
} as const;
