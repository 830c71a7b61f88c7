const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * A time as text in the given offset from UTC, after `pattern`: `YYYY` year, `MM`/`M` month,
 * `DD`/`D` day, `HH` hour, `mm` minute, `ss` second (two letters: zero-padded). The seed
 * renders `create_time` as `YYYY-MM-DD HH:mm:ss` (+08:00), its notices as `YYYY年MM月DD日 HH:mm:ss`
 * or `YYYY/M/D HH:mm:ss`, and upload folders as `YYYYMMDD`.
 */
export function formatLocal(ms: number, offsetMinutes: number, pattern = 'YYYY-MM-DD HH:mm:ss'): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const parts: Record<string, string> = {
    YYYY: String(d.getUTCFullYear()),
    MM: pad(d.getUTCMonth() + 1),
    M: String(d.getUTCMonth() + 1),
    DD: pad(d.getUTCDate()),
    D: String(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
  return pattern.replace(/YYYY|MM|M|DD|D|HH|mm|ss/g, (t) => parts[t] ?? t);
}

/** `YYYY-MM-DD HH:mm:ss` in the given offset from UTC: how the seed renders `create_time`. */
export const formatLocalTime = (ms: number, offsetMinutes: number): string => formatLocal(ms, offsetMinutes);

/** ISO-8601 UTC text, how the seed renders every other date column. */
export const isoTime = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
