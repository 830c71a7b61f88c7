/** Tokens travel in headers, in query strings (QR images, sockets) and in bodies: none is ever logged. */
export const LOG_REDACT = { paths: ['req.headers.token', 'req.headers.authorization', 'token', '*.token'], censor: '[redacted]' };

/** The request line without secrets: a `token` in the query string is replaced. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

export const logSerializers = {
  req: (req: { method?: string; url?: string; host?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) => ({
    method: req.method,
    url: redactUrl(req.url),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};
