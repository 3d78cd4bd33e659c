// Numbers, dates and durations in the current language (Intl), and the user's local days as
// the instants the history filter takes. Shared by the history and today views.

import { currentLocale } from "../../i18n";
import type { HistoryRow } from "./backend";

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(currentLocale()).format(value);
}

export function formatDateTime(epochMs: number): string {
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: "short", timeStyle: "short" }).format(epochMs);
}

export function formatTime(epochMs: number): string {
  return new Intl.DateTimeFormat(currentLocale(), { timeStyle: "short" }).format(epochMs);
}

/** `YYYY-MM-DD` (a day of the stats) → the language's short date, read as that calendar day. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return day;
  return new Intl.DateTimeFormat(currentLocale(), { month: "short", day: "numeric", timeZone: "UTC" }).format(
    Date.UTC(y, m - 1, d),
  );
}

/** Talk time as `m:ss` or `h:mm:ss`, with the language's digits. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const locale = currentLocale();
  const plain = new Intl.NumberFormat(locale);
  const two = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2 });
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${plain.format(h)}:${two.format(m)}:${two.format(s)}` : `${plain.format(m)}:${two.format(s)}`;
}

/** The start of local day `YYYY-MM-DD` plus `addDays`, as an instant with the local offset. */
export function localDayStart(day: string, addDays = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + addDays);
  return withOffset(date);
}

/** Local midnight today, as an instant with the local offset. */
export function todayStart(now = new Date()): string {
  return withOffset(new Date(now.getFullYear(), now.getMonth(), now.getDate()));
}

/** `2026-11-01T00:00:00+09:00`: the local wall time and its offset from UTC. */
function withOffset(date: Date): string {
  const pad = (n: number): string => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}

/** Who the call was with: the matched record's name, else the other party's number. */
export function otherParty(row: HistoryRow): string | null {
  if (row.matched?.name) return row.matched.name;
  const number = row.direction === "outbound" ? row.to : row.from;
  return number ?? row.matched?.id ?? null;
}
