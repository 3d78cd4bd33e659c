// The pop-up feature's IPC: create a record for an unknown caller, open a record in Salesforce,
// load a match's related records on demand, and send the tray labels and pop-up title in the
// UI's language. Same `Outcome` shape as ../../backend.ts; errors arrive as the generated `IpcError`.

import { call } from "../../ipc";
import { type CallerMatch, type CallerObject, type Outcome } from "../../backend";
import type { NewCaller } from "../../bindings/NewCaller";
import type { RelatedRecords } from "../../bindings/RelatedRecords";
import type { ShellLabels } from "../../bindings/ShellLabels";

export type { NewCaller, RelatedRecords, ShellLabels };

/** Creates a Lead or Contact for call `callId`'s caller in the org in use: `create_caller`. */
export function createCaller(callId: string, caller: NewCaller): Promise<Outcome<CallerMatch>> {
  return call("create_caller", { callId, caller });
}

/** Opens the record's Lightning page in the system browser; resolves to the URL: `open_in_salesforce`. */
export function openInSalesforce(recordId: string): Promise<Outcome<string>> {
  return call("open_in_salesforce", { recordId });
}

/** One match's open Opportunities and Cases, when the pop did not bring them: `related_records`. */
export function relatedRecords(object: CallerObject, id: string): Promise<Outcome<RelatedRecords>> {
  return call("related_records", { object, id });
}

/** Relabels the tray menu and titles the pop-up in the UI's language: `set_shell_labels`. */
export function setShellLabels(labels: ShellLabels): Promise<Outcome<null>> {
  return call("set_shell_labels", { labels });
}
