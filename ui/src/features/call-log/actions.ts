// The outcome actions of a call as the agent reads them: "Lead → Status: Working - Contacted",
// "Follow-up Event “Product demo” on 12/8/25 at 10:00, 30 min". Shared by the log form (which
// lists what the chosen outcome will do, each with a tick box) and the queue view (which shows
// an item holding a call's refused actions as those actions, not as a call log).

import { currentLocale, objectName, t } from "../../i18n";
import type { PlannedAction } from "../../bindings/PlannedAction";

/** The follow-up's start as a Date (an Event's StartDateTime; a Task's due day at local noon). */
export function followUpAt(action: PlannedAction): Date | null {
  const body = action.body;
  if (typeof body.StartDateTime === "string") {
    const at = new Date(body.StartDateTime);
    return Number.isNaN(at.getTime()) ? null : at;
  }
  if (typeof body.ActivityDate === "string") return localDay(body.ActivityDate);
  return null;
}

/** `YYYY-MM-DD` as that day at local noon (noon: the same day in every nearby time zone). */
export function localDay(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(text);
  if (!match) return null;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12, 0, 0, 0);
}

/** A date as an `<input type="date">` value (local). */
export function dateInputValue(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** A date as an `<input type="datetime-local">` value (local, to the minute). */
export function dateTimeInputValue(at: Date): string {
  return `${dateInputValue(at)}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** What one action does, in the agent's language. */
export function describeAction(action: PlannedAction): string {
  const body = action.body;
  if (action.name === "follow_up") {
    const subject = typeof body.Subject === "string" ? body.Subject : "";
    const at = followUpAt(action);
    const date = at ? new Intl.DateTimeFormat(currentLocale(), { dateStyle: "medium" }).format(at) : "";
    if (action.object === "Event") {
      const time = at ? new Intl.DateTimeFormat(currentLocale(), { timeStyle: "short" }).format(at) : "";
      const minutes = typeof body.DurationInMinutes === "number" ? body.DurationInMinutes : 0;
      return t("callLog.actions.followUpEvent", { subject, date, time, minutes });
    }
    return t("callLog.actions.followUpTask", { subject, date });
  }
  if (action.name === "chatter") {
    // The post as planned: the agent's name is read in Salesforce when it is sent.
    const text = typeof body.Body === "string" ? body.Body.replace("@{chatterAgent.Name}", "…") : "";
    return t("callLog.actions.chatter", { text });
  }
  const fields = Object.entries(body)
    .map(([field, value]) => t("callLog.actions.fieldValue", { field, value: String(value) }))
    .join(t("callLog.actions.fieldSeparator"));
  return t("callLog.actions.update", { object: objectName(action.object), fields });
}
