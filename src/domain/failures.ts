import { AppError, ValidationError, type ErrorCode } from './errors.js';

/**
 * Every failure a client can be told, once: its code (which decides the HTTP status, see
 * http/errors.ts) and its text, kept byte for byte as the seed API answers it (clients match on
 * some of them). Raise one with `failure(key)`; a text never travels with two codes.
 */
export const FAILURES = {
  // authentication (spec §1.6)
  tokenMissing: ['unauthenticated', '您没有权限访问即时通讯接口'],
  tokenExpired: ['unauthenticated', 'Token已过期！请重新获取令牌'],
  tokenInvalid: ['unauthenticated', 'Token 令牌不合法！'],
  userGoneOrDisabled: ['unauthenticated', '当前用户不存在或者已被禁用'],
  visitorForbidden: ['forbidden', '您没有权限访问，请先注册或登录'],
  // accounts (E01, E02, E41)
  accountExists: ['conflict', '该账号已存在，请换一个账号注册'],
  accountMissingOrDisabled: ['invalid', '账号不存在或者被禁用'],
  wrongPassword: ['invalid', '账户或密码错误'],
  loginThrottled: ['rate_limited', '登录失败次数过多，请稍后再试'],
  signupThrottled: ['rate_limited', '注册过于频繁，请1个小时后再试'],
  passwordMismatch: ['invalid', '新密码与确认新密码不一致'],
  passwordUserMissing: ['not_found', '用户不存在，无法修改密码'],
  passwordOldWrong: ['invalid', '原始密码错误，无法修改密码'],
  // visitors (E13–E15, spec §7)
  illegalAccess: ['forbidden', '非法访问'],
  illegalSignature: ['invalid', '非法签名'],
  requestExpired: ['invalid', '请求已过期'],
  invalidDevice: ['invalid', '无效标识'],
  visitorTooFrequent: ['invalid', '请求过于频繁，请1个小时后再试'],
  // profile (E34)
  usernameImmutable: ['invalid', '账号不可修改'],
  nicknameTooLong: ['invalid', '昵称长度不能超过30个字符'],
  avatarTooLong: ['invalid', '头像地址过长不能超过1000个字符'],
  inviteConfirmInvalid: ['invalid', '添加我为好友设置值错误'],
  profileUserMissing: ['not_found', '用户不存在，无法修改信息'],
  // sending (E20, spec §8.1)
  recipientGone: ['not_found', '对方不存在或者被禁用，不能发消息'],
  visitorBlacklisted: ['forbidden', '对方把你拉黑了，不能发消息'],
  visitorSystemBlocked: ['forbidden', '系统把你们拉黑了，不能发消息'],
  visitorNotFriend: ['forbidden', '你们不是好友关系，对方设置成：先登录才能发消息'],
  oneMessageOnly: ['forbidden', '在成为好友之前，对方只允许向他发一条消息'],
  userBlacklisted: ['forbidden', '对方把你拉黑了，不能发送消息'],
  userSystemBlocked: ['forbidden', '系统把你们拉黑了，不能发送消息'],
  friendsOnly: ['forbidden', '对方设置成：需要您先成为他的好友才能发消息'],
  groupUnavailable: ['not_found', '群不存在或者已解散或者被封禁，无法发消息'],
  notInGroup: ['forbidden', '您不在群里，无法发消息'],
  // sending over the WebSocket (docs/protocol.md; Natter's own)
  socketNotReceiving: ['conflict', '此连接已不是当前连接，请用新连接发送'],
  tooManySends: ['rate_limited', '发送过于频繁，请稍后再试'],
  // friends (E04–E12, E17, E19, E33, E39, E40)
  cannotAddSelf: ['invalid', '不能添加自己为好友'],
  friendTargetMissing: ['not_found', '添加的好友不存在'],
  alreadyApplied: ['conflict', '您已经申请过了，请勿重复申请'],
  applyNotFound: ['not_found', '申请不存在或已处理'],
  friendMissing: ['not_found', '好友不存在'],
  friendMissingOrBlack: ['not_found', '好友不存在或者被拉黑，无法操作'],
  notFriend: ['not_found', '不是好友'],
  notFriendNoRight: ['not_found', '不是好友关系，无权操作'],
  userMissing: ['not_found', '用户不存在'],
  applyInfoMissing: ['not_found', '用户申请信息不存在'],
  needApproval: ['forbidden', '需要对方审核，不能自动加对方为好友'],
  notAddable: ['not_found', '用户不存在或者为游客，无法加为好友'],
  // groups (E21, E23–E29, E32, E35–E38)
  pickGroupUsers: ['invalid', '请选择加入群聊的用户'],
  groupUsersMissing: ['invalid', '用户不存在，无法加入群聊'],
  groupMissingOrBlocked: ['not_found', '群不存在或被封禁'],
  onlyOwnerRename: ['forbidden', '只有群主才能修改群名称'],
  onlyOwnerRemark: ['forbidden', '只有群主才能修改群公告'],
  cannotNotifyMembers: ['not_found', '无法通知群成员'],
  notInGroupNickname: ['forbidden', '你不在该群聊中，无法修改昵称'],
  groupMissing: ['not_found', '群不存在'],
  notInGroupAction: ['forbidden', '你不在该群聊中，操作失败'],
  qrUnavailable: ['not_found', '群不存在或被封禁或者您不在该群聊中'],
  qrUserUnavailable: ['not_found', '用户不存在或被封禁'],
  onlyOwner: ['forbidden', '只有群主才能操作'],
  ownerCannotRemoveSelf: ['invalid', '群主不能删除自己'],
  groupUnavailableForJoin: ['not_found', '群不存在或者被封禁'],
  joinPending: ['conflict', '已申请加入群聊，正在等待群主同意'],
  alreadyMember: ['conflict', '用户已经在群里'],
  joinUserUnavailable: ['not_found', '加群的用户不存在或已被封禁，无法加入群聊'],
  loginToJoin: ['forbidden', '请先登录再申请进群'],
  groupNoRight: ['forbidden', '群不存在或者被封禁或者你无权操作'],
  illegalOperation: ['invalid', '非法操作'],
  joinUserGone: ['not_found', '用户不存在或者被封禁'],
  revokeTooLate: ['invalid', '消息超过5分钟，不能撤回'],
  revokeNotFound: ['not_found', '消息不存在或者不是您发送的，无法撤回'],
  // media (E30a, E30b, E31)
  noFile: ['invalid', '请选择要上传的文件'],
  emptyFile: ['invalid', '上传文件不能为空'],
  fileTypeRefused: ['invalid', '不支持的文件类型'],
  fileTooLarge: ['invalid', '文件大小超过限制'],
  badUploadDir: ['invalid', '上传目录不合法'],
  uploadFailed: ['invalid', '上传失败'],
  imgFieldRequired: ['invalid', '请使用 img 字段上传文件'],
  videoUrlMissing: ['invalid', '视频地址不能为空'],
  badTime: ['invalid', '时间点参数无效'],
  badWidth: ['invalid', '图片宽度应在1-3840之间'],
  badFormat: ['invalid', '图片格式只能是 png 或 jpg'],
  videoUrlRefused: ['forbidden', '不允许的视频地址'],
  ffmpegMissing: ['unavailable', '截图功能不可用：服务器未安装 ffmpeg'],
  screenshotFailed: ['invalid', '截图生成失败'],
  screenshotError: ['invalid', '截图处理失败'],
  // generic
  systemBusy: ['unavailable', '系统异常，请稍后再试'],
  notReady: ['unavailable', '服务暂不可用，请稍后再试'],
  databaseBusy: ['unavailable', '系统繁忙，请稍后再试'],
  metricsForbidden: ['forbidden', '无权访问监控数据'],
  badRequest: ['invalid', '请求格式错误'],
} as const satisfies Record<string, readonly [ErrorCode, string]>;

export type FailureKey = keyof typeof FAILURES;

/** The text of a failure (for messages built around it). */
export const failureText = (key: FailureKey): string => FAILURES[key][1];

/**
 * The error for a catalogue entry. `detail` is appended after a colon (`上传失败: <why>`);
 * `retryAfterSeconds` is sent as Retry-After.
 */
export function failure(key: FailureKey, o: { detail?: string; retryAfterSeconds?: number; cause?: unknown } = {}): AppError {
  const [code, text] = FAILURES[key];
  return new AppError(code, o.detail === undefined ? text : `${text}: ${o.detail}`, o.retryAfterSeconds, { cause: o.cause });
}

/** The failure a token that does not authenticate answers (spec §1.6), by the reason it failed. */
export const AUTH_FAILURES = {
  missing: 'tokenMissing',
  expired: 'tokenExpired',
  invalid: 'tokenInvalid',
  user_missing: 'userGoneOrDisabled',
  disabled: 'userGoneOrDisabled',
} as const satisfies Record<string, FailureKey>;

/**
 * What a client is told about an error, on HTTP (the `data` of a 4xx answer) and on the WebSocket
 * (a fail ack) alike: a failure's text, or a parameter failure's first message (as the original's
 * error handler: `err.errors[0].err[0]`). Undefined for anything unexpected (a server error).
 */
export function answerText(err: unknown): string | undefined {
  if (err instanceof AppError) return err.message;
  if (err instanceof ValidationError) return err.issues[0]?.err[0] ?? failureText('badRequest');
  return undefined;
}
