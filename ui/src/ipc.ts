// ipc: the one wrapper around Tauri's `invoke` and the one conversion of what a command
// rejects with into the generated `IpcError`. Every backend file (ui/src/backend.ts and each
// features/*/backend.ts) calls through here, so an error reaches the views in one shape
// whichever command failed.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { CommandName, Commands, EventName, EventPayloads } from "./bindings/ipc-contract";
import type { IpcCode } from "./bindings/IpcCode";
import type { IpcError } from "./bindings/IpcError";

export type { CommandName, Commands, EventName, EventPayloads, IpcCode, IpcError };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The code the UI shows when the shell itself did not answer (not a domain error). */
export const BACKEND_UNAVAILABLE: IpcCode = "backend_unavailable";

// Why a table and not a list: `Record<IpcCode, true>` must name every code of the generated
// type and no other, so `tsc` fails here when the Rust enum gains or loses a code.
const IPC_CODES: Readonly<Record<IpcCode, true>> = {
  invalid_input: true,
  misconfigured: true,
  no_changes: true,
  unsupported_record: true,
  refused: true,
  conflict: true,
  record_deleted: true,
  record_not_found: true,
  record_not_in_pop: true,
  intent_invalid: true,
  signed_out: true,
  salesforce_unreachable: true,
  salesforce_error: true,
  salesforce_rejected: true,
  api_allowance_used_up: true,
  api_optional_paused: true,
  describe_failed: true,
  duplicates_detected: true,
  duplicate_value: true,
  required_field_missing: true,
  field_custom_validation_exception: true,
  string_too_long: true,
  access_denied: true,
  timeout: true,
  redirect_port: true,
  malformed_link: true,
  foreign_link: true,
  abandoned: true,
  browser: true,
  no_refresh_token: true,
  api_disabled: true,
  unknown_client: true,
  invalid_grant: true,
  oauth_refused: true,
  keyring_unavailable: true,
  keyring_refused: true,
  keyring_corrupt: true,
  unknown_org: true,
  org_registry: true,
  org_unavailable: true,
  no_home: true,
  config_unreadable: true,
  config_unwritable: true,
  usage_unavailable: true,
  call_log_closed: true,
  call_log_invalid: true,
  call_log_record: true,
  queue_unusable: true,
  queue_failed: true,
  queue_unreadable: true,
  queue_unavailable: true,
  queue_item_not_found: true,
  queue_item_not_dead: true,
  cursor_expired: true,
  org_changed: true,
  export_failed: true,
  baresip_failed: true,
  opener_failed: true,
  backend_unavailable: true,
  internal: true,
};

/** Whether `code` is one of the shell's codes (`IpcCode`). */
export function isIpcCode(code: string): code is IpcCode {
  return Object.hasOwn(IPC_CODES, code);
}

/** What command `C` takes after its name: its arguments, or nothing when it has none. */
export type ArgsOf<C extends CommandName> = Commands[C]["args"] extends null ? [] : [args: Commands[C]["args"]];

/**
 * Runs Tauri command `command` with `args`; a rejection becomes `{ ok: false, error }`.
 * `Commands` is generated from the shell's one declaration of its commands
 * (src-tauri/ipc/contract.rs), which tests/ipc_contract.rs holds to each Rust fn's parameters and
 * result: a misspelt command, a renamed or retyped argument, or a changed result is a `tsc` error
 * where the UI calls it.
 */
export async function call<C extends CommandName>(
  command: C,
  ...args: ArgsOf<C>
): Promise<Outcome<Commands[C]["result"]>> {
  try {
    return { ok: true, value: await invoke<Commands[C]["result"]>(command, args[0] ?? undefined) };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/**
 * Calls `handler` with each payload of event `event` (a generated constant such as
 * `QUEUE_CHANGED_EVENT`); the payload's type comes from the same declaration. A refused listen
 * (no event permission, no Tauri runtime) becomes `{ ok: false, error }`.
 */
export async function listenTo<E extends EventName>(
  event: E,
  handler: (payload: EventPayloads[E]) => void,
): Promise<Outcome<null>> {
  try {
    await listen<EventPayloads[E]>(event, (received) => handler(received.payload));
    return { ok: true, value: null };
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
}

/** What a command rejected with, as an `IpcError`. */
export function toIpcError(thrown: unknown): IpcError {
  if (typeof thrown === "object" && thrown !== null) {
    const { code, message } = thrown as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") {
      if (isIpcCode(code)) return { code, message };
      // Why: a shell newer or older than this page sent a code the page does not know; it is
      // kept in the words so nothing is lost, and the page shows its generic failure.
      return { code: "internal", message: `${message} (${code})` };
    }
  }
  // Why: a missing command, a denied permission or no Tauri runtime rejects with a plain string.
  return { code: BACKEND_UNAVAILABLE, message: String(thrown) };
}
