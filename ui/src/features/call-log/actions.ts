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

/**
 * A value as the agent reads it: a reference to a row the action reads in Salesforce when it
 * is sent (`@{newOpportunityAccount.Name}`) is not shown as such but said in words; the
 * Account's name is not known until then.
 */
export function readableValue(value: unknown): string {
  return String(value).replace(/@\{([^}]*)\}/gu, (_, reference: string) =>
    /Account\.Name$/u.test(reference) ? t("callLog.actions.accountName") : t("callLog.actions.readAtSend"),
  );
}

/** What one action does, in the agent's language. Never shows a `@{…}` reference. */
export function describeAction(action: PlannedAction): string {
  const body = action.body;
  if (action.name === "follow_up") {
    const subject = typeof body.Subject === "string" ? readableValue(body.Subject) : "";
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
    const text = typeof body.Body === "string" ? readableValue(body.Body) : "";
    return t("callLog.actions.chatter", { text });
  }
  if (action.name === "create_opportunity") {
    // Name, stage and close date in one line; the Account (a reference read at send time)
    // is "the caller's Account"; any other configured field follows as field: value.
    const close = typeof body.CloseDate === "string" ? localDay(body.CloseDate) : null;
    const date = close ? new Intl.DateTimeFormat(currentLocale(), { dateStyle: "medium" }).format(close) : "";
    const line = t("callLog.actions.createOpportunity", {
      name: readableValue(body.Name ?? ""),
      stage: readableValue(body.StageName ?? ""),
      date,
    });
    const rest = Object.entries(body).filter(([field]) => !["Name", "StageName", "CloseDate", "AccountId"].includes(field));
    return rest.length === 0 ? line : `${line}${t("callLog.actions.fieldSeparator")}${fieldList(rest)}`;
  }
  if (action.name === "lead_notes") {
    // The body is the field's old text (a reference) plus the call's block: say what it does.
    const field = Object.keys(body)[0] ?? "";
    return t("callLog.actions.leadNotes", { object: objectName(action.object), field });
  }
  return t("callLog.actions.update", { object: objectName(action.object), fields: fieldList(Object.entries(body)) });
}

/**
 * What a skipped action would have done, in words: the agent unticked it, or the call lacks
 * what it needs (no Lead, no Account, no BANT notes yet, no feed or signed-in user for a post).
 */
export function describeSkipped(action: PlannedAction): string {
  if (action.name === "lead_notes" && action.record_id) return t("callLog.actions.leadNotesWaiting", { object: objectName(action.object) });
  if (action.name === "create_opportunity") return t("callLog.actions.noAccount");
  // A post is created, not updated: say it is not posted, and why. A skipped `chatter` names
  // the feed's record when only the signed-in user (for `{agent}`) was missing.
  if (action.name === "chatter") return t(action.record_id ? "callLog.actions.chatterNoAgent" : "callLog.actions.chatterNoFeed");
  return t("callLog.actions.noRecord", { object: objectName(action.object) });
}

function fieldList(entries: [string, unknown][]): string {
  return entries
    .map(([field, value]) => t("callLog.actions.fieldValue", { field, value: readableValue(value) }))
    .join(t("callLog.actions.fieldSeparator"));
}
