// ipc: the one wrapper around Tauri's `invoke` and the one conversion of what a command
// rejects with into the generated `IpcError`. Every backend file (ui/src/backend.ts and each
// features/*/backend.ts) calls through here, so an error reaches the views in one shape
// whichever command failed.

import { invoke } from "@tauri-apps/api/core";
import type { IpcError } from "./bindings/IpcError";

export type { IpcError };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The code the UI shows when the shell itself did not answer (not a domain error). */
export const BACKEND_UNAVAILABLE = "backend_unavailable";

/** Runs Tauri command `command` with `args`; a rejection becomes `{ ok: false, error }`. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await invoke<T>(command, args) };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/** What a command rejected with, as an `IpcError`. */
export function toIpcError(thrown: unknown): IpcError {
  if (typeof thrown === "object" && thrown !== null) {
    const { code, message } = thrown as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") return { code, message };
  }
  // Why: a missing command, a denied permission or no Tauri runtime rejects with a plain string.
  return { code: BACKEND_UNAVAILABLE, message: String(thrown) };
}
