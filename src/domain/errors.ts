/**
 * Business errors carry a code, never an HTTP status: the HTTP and WebSocket layers map codes to
 * their own wire forms. `message` is the user-facing text of the public contract (Chinese, byte for byte).
 */
export type ErrorCode =
  | 'invalid' // a rule of the request was broken (400 in the seed contract)
  | 'unauthenticated' // missing, bad, expired or superseded token
  | 'forbidden' // the caller may not do this
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For `unavailable`: when to try again, in seconds (sent as Retry-After). */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** One field that failed validation, in the shape of the seed's 422 answer. */
export interface FieldIssue {
  key: string;
  desc: string;
  type: string;
  value?: unknown;
  err: string[];
}

export class ValidationError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.flatMap((i) => i.err).join('; '));
    this.name = 'ValidationError';
  }
}

export const fail = (code: ErrorCode, message: string): never => {
  throw new AppError(code, message);
};
