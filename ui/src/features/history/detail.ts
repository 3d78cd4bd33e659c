// The detail panel: everything about the picked call (numbers, talk time, outcome, subject,
// notes, summary, recording, related record) and, for a call not in Salesforce yet, whether it
// waits or failed for good, with the error.

import type { IpcCode } from "../../ipc";
import { bdi, objectName, t, type MessageKey } from "../../i18n";
import { openInSalesforce, openRecording, type HistoryRow } from "./backend";
import { formatDateTime, formatDuration, otherParty } from "./format";

export function renderDetail(root: HTMLElement, row: HistoryRow | null, onError: (code: IpcCode, message: string) => void): void {
  root.setAttribute("aria-label", t("history.detail"));
  if (row === null) {
    const empty = document.createElement("p");
    empty.className = "history-detail-empty";
    empty.textContent = t("history.detailEmpty");
    root.replaceChildren(empty);
    delete root.dataset["callId"];
    return;
  }
  root.dataset["callId"] = row.call_id;
  const heading = document.createElement("h3");
  heading.className = "history-detail-title";
  const party = otherParty(row);
  if (party === null) heading.textContent = t("history.unknownCaller");
  else heading.replaceChildren(bdi(party));
  const when = document.createElement("p");
  when.className = "history-detail-when";
  const direction = row.direction === "inbound" ? t("history.inbound") : row.direction === "outbound" ? t("history.outbound") : "";
  when.textContent = [formatDateTime(row.started_at_ms), direction, formatDuration(row.duration_seconds)]
    .filter((part) => part !== "")
    .join(" · ");

  const list = document.createElement("dl");
  list.className = "history-detail-fields";
  const add = (key: MessageKey, value: Node | string | null | undefined, className: string): void => {
    if (value === null || value === undefined || value === "") return;
    const dt = document.createElement("dt");
    dt.textContent = t(key);
    const dd = document.createElement("dd");
    dd.className = className;
    dd.append(value);
    list.append(dt, dd);
  };
  add("history.col.outcome", row.disposition ?? t("history.noOutcome"), "detail-outcome");
  add("history.col.agent", row.owner?.name ?? row.owner?.id, "detail-agent");
  add("history.field.from", row.from === null ? null : bdi(row.from), "detail-from");
  add("history.field.to", row.to === null ? null : bdi(row.to), "detail-to");
  add("history.field.subject", row.subject, "detail-subject");
  add("history.field.notes", row.notes, "detail-notes");
  add("history.field.summary", row.summary, "detail-summary");
  add("history.field.keyTopics", row.key_topics.join(", "), "detail-key-topics");
  // The memo's values (Memo__c, ';'-joined in Salesforce), listed like the key topics.
  add("history.field.memo", row.memo.join(", "), "detail-memo");
  if (row.recording_url) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "history-recording";
    button.textContent = t("history.openRecording");
    button.title = row.recording_url;
    const url = row.recording_url;
    button.addEventListener("click", () => {
      void openRecording(url).then((outcome) => {
        if (!outcome.ok) onError(outcome.error.code, outcome.error.message);
      });
    });
    add("history.field.recording", button, "detail-recording");
  }
  if (row.matched) {
    const related = document.createElement("span");
    const object = document.createElement("span");
    object.className = "match-object";
    object.textContent = objectName(row.matched.object);
    const name = document.createElement("span");
    name.className = "detail-related-name";
    name.textContent = ` ${row.matched.name ?? ""} `;
    const id = document.createElement("code");
    id.textContent = row.matched.id;
    id.dir = "ltr";
    const open = document.createElement("button");
    open.type = "button";
    open.className = "history-open-record";
    open.textContent = t("history.openInSalesforce");
    const recordId = row.matched.id;
    open.addEventListener("click", () => {
      void openInSalesforce(recordId).then((outcome) => {
        if (!outcome.ok) onError(outcome.error.code, outcome.error.message);
      });
    });
    related.append(object, name, id, document.createElement("br"), open);
    add("history.field.related", related, "detail-related");
  }
  add("history.field.delivery", t(`history.state.${row.delivery}`), "detail-delivery");
  add("history.field.error", row.delivery_error, "detail-error");
  add("history.field.callId", row.call_id, "detail-call-id");

  const parts: Node[] = [heading, when, list];
  if (row.delivery !== "delivered") {
    const hint = document.createElement("p");
    hint.className = `history-delivery-hint delivery-${row.delivery}`;
    // A log held for the org's allowance is not this call's failure: said as such, in words.
    hint.textContent = t(
      row.delivery === "dead"
        ? "history.deadHint"
        : row.held_for_allowance
          ? "history.allowanceHint"
          : "history.pendingHint",
    );
    hint.dataset["reason"] = row.delivery === "pending" && row.held_for_allowance ? "allowance" : row.delivery;
    parts.push(hint);
  }
  root.replaceChildren(...parts);
}
