// The queue view's IPC, in the shared `Outcome` shape.

import { call } from "../../ipc";
import type { Outcome } from "../../backend";
import type { QueueEdit } from "../../bindings/QueueEdit";
import type { QueueEntry } from "../../bindings/QueueEntry";
import type { QueueOverview } from "../../bindings/QueueOverview";

export type { QueueEdit, QueueEntry, QueueOverview };
export { onQueueChanged } from "../call-log/backend";

/** Counts and items (`queue_overview`). */
export const queueOverview = (): Promise<Outcome<QueueOverview>> => call("queue_overview");

/** Corrects a queued or dead log (`edit_queued_call_log`, audited as edited by admin). */
export const editQueuedCallLog = (id: number, edit: QueueEdit): Promise<Outcome<null>> =>
  call("edit_queued_call_log", { id, edit });

/** Sends one dead letter again (`replay_queued_call_log`). */
export const replayQueuedCallLog = (id: number): Promise<Outcome<null>> => call("replay_queued_call_log", { id });

/** Sends every dead letter again (`replay_all_call_logs`); answers how many. */
export const replayAllCallLogs = (): Promise<Outcome<number>> => call("replay_all_call_logs");
