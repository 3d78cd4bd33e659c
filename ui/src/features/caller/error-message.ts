// Maps an IPC error code to the catalog message the agent reads. Codes come from
// ringside-core's `LookupError::code()`; an unknown code still gets a sensible message.

import type { MessageKey } from "../../i18n";
import type { IpcCode } from "../../ipc";

const KNOWN: Readonly<Partial<Record<IpcCode, MessageKey>>> = {
  invalid_input: "error.invalid_input",
  salesforce_unreachable: "error.salesforce_unreachable",
  salesforce_error: "error.salesforce_error",
  signed_out: "error.signed_out",
  api_allowance_used_up: "error.api_allowance_used_up",
  misconfigured: "error.misconfigured",
  backend_unavailable: "error.backend_unavailable",
};

export function errorMessageKey(code: IpcCode): MessageKey {
  return KNOWN[code] ?? "error.unknown";
}
