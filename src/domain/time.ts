const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD HH:mm:ss` in the given offset from UTC: how the seed renders `create_time`. */
export function formatLocalTime(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** ISO-8601 UTC text, how the seed renders every other date column. */
export const isoTime = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
