// backend: the one place the UI talks to the Rust shell. Components call these functions and
// never `invoke` directly, so every IPC error reaches them in one shape: the generated `IpcError`.

import { invoke } from "@tauri-apps/api/core";
import type { IpcError } from "./bindings/IpcError";
import type { LookupResult } from "./bindings/LookupResult";

export type { IpcError, LookupResult };
export type { CallerMatch } from "./bindings/CallerMatch";
export type { CallerObject } from "./bindings/CallerObject";

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The code the UI shows when the shell itself did not answer (not a domain error). */
export const BACKEND_UNAVAILABLE = "backend_unavailable";

/** Searches Salesforce for the caller's phone number or email (Tauri command `lookup_caller`). */
export async function lookupCaller(query: string): Promise<Outcome<LookupResult>> {
  try {
    return { ok: true, value: await invoke<LookupResult>("lookup_caller", { query }) };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

function toIpcError(thrown: unknown): IpcError {
  if (
    typeof thrown === "object" &&
    thrown !== null &&
    typeof (thrown as { code?: unknown }).code === "string" &&
    typeof (thrown as { message?: unknown }).message === "string"
  ) {
    const { code, message } = thrown as IpcError;
    return { code, message };
  }
  // Why: a missing command, a denied permission or no Tauri runtime rejects with a plain string.
  return { code: BACKEND_UNAVAILABLE, message: String(thrown) };
}
