// backend: the one place the UI talks to the Rust shell. Components call these functions and
// never `invoke` directly, so every IPC error reaches them in one shape: the generated `IpcError`.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { CallerMatch } from "./bindings/CallerMatch";
import type { CurrentOrg } from "./bindings/CurrentOrg";
import type { IpcError } from "./bindings/IpcError";
import { toIpcError, type Outcome } from "./ipc";
import type { LookupResult } from "./bindings/LookupResult";
import type { PopUpdate } from "./bindings/PopUpdate";

export type { CallerMatch, CurrentOrg, IpcError, LookupResult, PopUpdate };
export type { Pop } from "./bindings/Pop";
export type { CallerObject } from "./bindings/CallerObject";

export type { Outcome } from "./ipc";
export { BACKEND_UNAVAILABLE } from "./ipc";

/** Searches Salesforce for the caller's phone number or email (Tauri command `lookup_caller`). */
export async function lookupCaller(query: string): Promise<Outcome<LookupResult>> {
  try {
    return { ok: true, value: await invoke<LookupResult>("lookup_caller", { query }) };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/** Which org the app talks to now, and why not the signed-in one if it can't: `current_org`. */
export async function currentOrg(): Promise<Outcome<CurrentOrg>> {
  try {
    return { ok: true, value: await invoke<CurrentOrg>("current_org") };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/** The pop the pop-up window shows now (`null` before any call): Tauri command `current_pop`. */
export async function currentPop(): Promise<Outcome<PopUpdate | null>> {
  try {
    return { ok: true, value: await invoke<PopUpdate | null>("current_pop") };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/** Hides the pop-up window (Esc): Tauri command `dismiss_pop`. */
export async function dismissPop(): Promise<Outcome<null>> {
  try {
    await invoke("dismiss_pop");
    return { ok: true, value: null };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/** Shows the main window on one matched record of a call's pop (Enter): `open_caller_record`. */
export async function openCallerRecord(callId: string, recordId: string): Promise<Outcome<null>> {
  try {
    await invoke("open_caller_record", { callId, recordId });
    return { ok: true, value: null };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/** Calls `handler` with each pop update the shell sends to the pop-up (event `pop-update`). */
export function onPopUpdate(handler: (update: PopUpdate) => void): Promise<Outcome<null>> {
  return listenTo<PopUpdate>("pop-update", handler);
}

/** Calls `handler` when the pop-up asks the main window to show a record (event `show-record`). */
export function onShowRecord(handler: (record: CallerMatch) => void): Promise<Outcome<null>> {
  return listenTo<CallerMatch>("show-record", handler);
}

async function listenTo<T>(event: string, handler: (payload: T) => void): Promise<Outcome<null>> {
  try {
    await listen<T>(event, (received) => handler(received.payload));
    return { ok: true, value: null };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}
