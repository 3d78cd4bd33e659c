// The log form's IPC: every call to the shell goes through here, in the shared `Outcome` shape.

import { call, listenTo } from "../../ipc";
import { CALL_LOG_LOGGED_EVENT, CALL_LOG_OPENED_EVENT, QUEUE_CHANGED_EVENT } from "../../bindings/ipc-contract";
import type { Outcome } from "../../backend";
import type { CallDraft } from "../../bindings/CallDraft";
import type { CallIntent } from "../../bindings/CallIntent";
import type { CallIntentButton } from "../../bindings/CallIntentButton";
import type { DraftCandidate } from "../../bindings/DraftCandidate";
import type { FormOptions } from "../../bindings/FormOptions";
import type { DraftFields } from "../../bindings/DraftFields";
import type { DraftRecord } from "../../bindings/DraftRecord";
import type { ActionChoices } from "../../bindings/ActionChoices";
import type { ActionName } from "../../bindings/ActionName";
import type { Bant } from "../../bindings/Bant";
import type { FormActions as ActionsPreview } from "../../bindings/FormActions";
import type { PlannedAction } from "../../bindings/PlannedAction";
import type { LoggedCall } from "../../bindings/LoggedCall";
import type { OpenCallLog } from "../../bindings/OpenCallLog";
import type { QueueCounts } from "../../bindings/QueueCounts";

export type {
  ActionChoices,
  ActionName,
  ActionsPreview,
  Bant,
  CallDraft,
  CallIntent,
  CallIntentButton,
  DraftCandidate,
  DraftFields,
  DraftRecord,
  FormOptions,
  LoggedCall,
  OpenCallLog,
  PlannedAction,
  QueueCounts,
};

/** The forms waiting for the agent (`open_call_logs`). */
export const openCallLogs = (): Promise<Outcome<OpenCallLog[]>> => call("open_call_logs");

/** "Log a call": an empty form with a fresh call id (`start_call_log`). */
export const startCallLog = (): Promise<Outcome<OpenCallLog>> => call("start_call_log");

/** Keeps the agent's inputs and restarts the idle time (`update_call_log`). */
export const updateCallLog = (callId: string, fields: DraftFields): Promise<Outcome<OpenCallLog>> =>
  call("update_call_log", { callId, fields });

/** Commits the log to the durable queue (`log_call`); Salesforce is not waited for. */
export const logCall = (callId: string, fields: DraftFields): Promise<Outcome<LoggedCall>> =>
  call("log_call", { callId, fields });

/** `pending`, `in_flight`, `delivered`, `dead`, or null (`call_log_state`). */
export const callLogState = (callId: string): Promise<Outcome<string | null>> => call("call_log_state", { callId });

/** The form's intent buttons and the disposition picklist, from the org's describe (`call_log_options`). */
export const callLogOptions = (): Promise<Outcome<FormOptions>> => call("call_log_options");

/** Presses an intent: checked against its field now, written with the call (`press_call_intent`). */
export const pressCallIntent = (callId: string, name: string, input: string | null): Promise<Outcome<OpenCallLog>> =>
  call("press_call_intent", { callId, name, input });

/** Takes a pressed intent back (`release_call_intent`). */
export const releaseCallIntent = (callId: string, name: string): Promise<Outcome<OpenCallLog>> =>
  call("release_call_intent", { callId, name });

/** Picks which matched record the call was with (`choose_call_record`). */
export const chooseCallRecord = (callId: string, recordId: string): Promise<Outcome<OpenCallLog>> =>
  call("choose_call_record", { callId, recordId });

/** What the chosen disposition will also do in Salesforce, for these fields (`preview_call_actions`). */
export const previewCallActions = (callId: string, fields: DraftFields): Promise<Outcome<ActionsPreview>> =>
  call("preview_call_actions", { callId, fields });

/** A form opened by a call's end (event `call-log-opened`). */
export const onCallLogOpened = (handler: (form: OpenCallLog) => void): Promise<Outcome<null>> =>
  listenTo(CALL_LOG_OPENED_EVENT, handler);

/** A form was logged, by the agent or the idle rule (event `call-log-logged`). */
export const onCallLogLogged = (handler: (logged: LoggedCall) => void): Promise<Outcome<null>> =>
  listenTo(CALL_LOG_LOGGED_EVENT, handler);

/** The queue changed (event `queue-changed`, with the new counts). */
export const onQueueChanged = (handler: (counts: QueueCounts | null) => void): Promise<Outcome<null>> =>
  listenTo(QUEUE_CHANGED_EVENT, handler);
