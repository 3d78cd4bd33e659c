// The history view's calls to the Rust shell (commands in src-tauri/src/commands/history.rs).
// Same `Outcome` shape as ../../backend.ts: components never call `invoke` themselves.

import { call } from "../../ipc";
import { type Outcome } from "../../backend";
import type { AgentDay } from "../../bindings/AgentDay";
import type { CallBack } from "../../bindings/CallBack";
import type { ExportedCsv } from "../../bindings/ExportedCsv";
import type { HistoryPageView } from "../../bindings/HistoryPageView";
import type { HistoryQuery } from "../../bindings/HistoryQuery";
import type { HistoryRow } from "../../bindings/HistoryRow";
import type { HistoryStatsView } from "../../bindings/HistoryStatsView";

export type { AgentDay, CallBack, ExportedCsv, HistoryPageView, HistoryQuery, HistoryRow, HistoryStatsView };
export type { HistoryStats } from "../../bindings/HistoryStats";
export type { MissedCall } from "../../bindings/MissedCall";

/** The user's IANA time zone (e.g. `Europe/Berlin`), or null when the browser has none. */
export function timeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
}

/** The user's offset from UTC now, in minutes east (Tokyo: 540): the charts' fallback when the zone is unknown. */
export function utcOffsetMinutes(): number {
  return -new Date().getTimezoneOffset();
}

/** The first page of calls for `query`, newest first (`history_first_page`). */
export function historyFirstPage(query: HistoryQuery): Promise<Outcome<HistoryPageView>> {
  return call("history_first_page", { query });
}

/** The page after `cursor` (`history_next_page`). */
export function historyNextPage(cursor: number): Promise<Outcome<HistoryPageView>> {
  return call("history_next_page", { cursor });
}

/** The charts' numbers for `query` in the user's time zone (`history_stats`). */
export function historyStats(query: HistoryQuery): Promise<Outcome<HistoryStatsView>> {
  // The IANA zone lets the backend use the offset of each call's own date (DST).
  return call("history_stats", { query, utcOffsetMinutes: utcOffsetMinutes(), timeZone: timeZone() });
}

/** Writes the calls of `query` as CSV to the Downloads folder (`export_history_csv`). */
export function exportHistoryCsv(query: HistoryQuery): Promise<Outcome<ExportedCsv>> {
  return call("export_history_csv", { query, utcOffsetMinutes: utcOffsetMinutes() });
}

/** The signed-in agent's calls since `since` (local midnight as an instant) (`agent_day`). */
export function agentDay(since: string): Promise<Outcome<AgentDay>> {
  return call("agent_day", { since });
}

/** Calls `number` back through the system's `tel:` handler (`call_back`). */
export function callBack(number: string): Promise<Outcome<CallBack>> {
  return call("call_back", { number });
}

/** Opens a Contact, Lead or Account in Salesforce in the browser (`open_in_salesforce`). */
export function openInSalesforce(recordId: string): Promise<Outcome<string>> {
  return call("open_in_salesforce", { recordId });
}

/** Opens a call recording's web link in the browser (`open_recording`). */
export function openRecording(url: string): Promise<Outcome<null>> {
  return call("open_recording", { url });
}
