// The record panel's calls to the Rust shell: read a record's allowed fields (`show_record`),
// save the agent's changes (`save_record`, queued while Salesforce is unreachable), press
// intents (`apply_intent`), and the record's queued edits (`queued_record_edits`,
// `resolve_queued_edit`, the `record-edits-changed` event). Same `Outcome` shape as ../../backend.ts.

import { call, listenTo } from "../../ipc";
import { RECORD_EDITS_CHANGED_EVENT } from "../../bindings/ipc-contract";
import { type Outcome } from "../../backend";
import type { FieldChange } from "../../bindings/FieldChange";
import type { IntentButton } from "../../bindings/IntentButton";
import type { QueuedEdit } from "../../bindings/QueuedEdit";
import type { RecordSave } from "../../bindings/RecordSave";
import type { ShownField } from "../../bindings/ShownField";
import type { ShownRecord } from "../../bindings/ShownRecord";

export type { FieldChange, IntentButton, QueuedEdit, RecordSave, ShownField, ShownRecord };

/** The visible fields of a Contact, Lead or Account under the admin's policy: `show_record`. */
export function showRecord(id: string): Promise<Outcome<ShownRecord>> {
  return call("show_record", { id });
}

/**
 * Saves `changes` to record `id` (`save_record`). `expectedModified` is the LastModifiedDate the
 * panel showed, so a record changed since comes back as a conflict instead of being overwritten.
 */
export function saveRecord(
  id: string,
  changes: FieldChange[],
  expectedModified: string | null,
): Promise<Outcome<RecordSave>> {
  return call("save_record", { id, changes, expectedModified });
}

/** Presses intent `intent` on record `id` (`apply_intent`); `input` is the agent's pick or text. */
export function applyIntent(id: string, intent: string, input: string | null): Promise<Outcome<RecordSave>> {
  return call("apply_intent", { id, intent, input });
}

/** Record `id`'s queued edits still to see: pending, in conflict or failed (`queued_record_edits`). */
export function queuedRecordEdits(id: string): Promise<Outcome<QueuedEdit[]>> {
  return call("queued_record_edits", { id });
}

/** The agent dealt with a queued edit's conflict or failure (`resolve_queued_edit`). */
export function resolveQueuedEdit(edit: number): Promise<Outcome<null>> {
  return call("resolve_queued_edit", { edit });
}

/** Calls `handler` whenever queued edits change (sent, conflict, failed). No-op without Tauri events. */
export async function onRecordEditsChanged(handler: () => void): Promise<void> {
  // A refused listen (no event permission, no Tauri runtime) is ignored: the panel still
  // re-reads after each save.
  await listenTo(RECORD_EDITS_CHANGED_EVENT, () => handler());
}
