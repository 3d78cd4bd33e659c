// backend: the one place the UI talks to the Rust shell. Components call these functions and
// never `invoke` directly, so every IPC error reaches them in one shape: the generated `IpcError`.

import type { CallerMatch } from "./bindings/CallerMatch";
import type { CurrentOrg } from "./bindings/CurrentOrg";
import type { IpcError } from "./bindings/IpcError";
import { call, listenTo, type Outcome } from "./ipc";
import { POP_UPDATE_EVENT, SHOW_RECORD_EVENT } from "./bindings/ipc-contract";
import type { LookupResult } from "./bindings/LookupResult";
import type { PopUpdate } from "./bindings/PopUpdate";

export type { CallerMatch, CurrentOrg, IpcError, LookupResult, PopUpdate };
export type { Pop } from "./bindings/Pop";
export type { CallerObject } from "./bindings/CallerObject";

export type { Outcome } from "./ipc";
export { BACKEND_UNAVAILABLE } from "./ipc";

/** Searches Salesforce for the caller's phone number or email (Tauri command `lookup_caller`). */
export function lookupCaller(query: string): Promise<Outcome<LookupResult>> {
  return call("lookup_caller", { query });
}

/** Which org the app talks to now, and why not the signed-in one if it can't: `current_org`. */
export function currentOrg(): Promise<Outcome<CurrentOrg>> {
  return call("current_org");
}

/** The record Enter in the pop-up asked for while the main window was closed (once; else `null`): `record_to_show`. */
export function recordToShow(): Promise<Outcome<CallerMatch | null>> {
  return call("record_to_show");
}

/** The pop the pop-up window shows now (`null` before any call): Tauri command `current_pop`. */
export function currentPop(): Promise<Outcome<PopUpdate | null>> {
  return call("current_pop");
}

/** Hides the pop-up window (Esc): Tauri command `dismiss_pop`. */
export function dismissPop(): Promise<Outcome<null>> {
  return call("dismiss_pop");
}

/** Shows the main window on one matched record of a call's pop (Enter): `open_caller_record`. */
export function openCallerRecord(callId: string, recordId: string): Promise<Outcome<null>> {
  return call("open_caller_record", { callId, recordId });
}

/** Calls `handler` with each pop update the shell sends to the pop-up (event `pop-update`). */
export function onPopUpdate(handler: (update: PopUpdate) => void): Promise<Outcome<null>> {
  return listenTo(POP_UPDATE_EVENT, handler);
}

/** Calls `handler` when the pop-up asks the main window to show a record (event `show-record`). */
export function onShowRecord(handler: (record: CallerMatch) => void): Promise<Outcome<null>> {
  return listenTo(SHOW_RECORD_EVENT, handler);
}
