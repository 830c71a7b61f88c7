/**
 * "Who may message me" settings kept in `user.userset` (spec §8.1). Parsing is lenient: text that
 * is not JSON, or lacks a role, gives the default (one message before friendship) instead of
 * failing every message to that user.
 */
export interface ChatRule {
  /** 0 forbidden, 1 one message before friendship, 2 unrestricted; anything else unrestricted. */
  sendCount: unknown;
  needFollow: boolean;
}

export type SenderRole = 'visitor' | 'user';

const DEFAULT_RULE: ChatRule = { sendCount: 1, needFollow: false };

export function chatRuleFor(userset: string, role: SenderRole): ChatRule {
  let parsed: unknown;
  try {
    parsed = userset ? JSON.parse(userset) : undefined;
  } catch {
    return DEFAULT_RULE;
  }
  const chatset = (parsed as { chatset?: unknown } | undefined)?.chatset;
  if (!chatset || typeof chatset !== 'object') return DEFAULT_RULE;
  const entry = (chatset as Record<string, unknown>)[role];
  if (entry === undefined || entry === null) return DEFAULT_RULE;
  // The legacy form {"chatset":{"visitor":0,"user":0}} has no sendCount: unrestricted, as in the seed.
  if (typeof entry !== 'object') return { sendCount: undefined, needFollow: false };
  const e = entry as { sendCount?: unknown; needFollow?: unknown };
  return { sendCount: e.sendCount, needFollow: e.needFollow === true };
}
