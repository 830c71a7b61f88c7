/**
 * A string of its own: not a slice of a longer string (which it would keep alive) nor a tree of
 * concatenated pieces. For strings kept as long as a socket is open.
 */
export function ownCopy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
