// The queue view (tab `queue`): counts (pending, in flight, delivered, dead), the pending and dead
// call logs with their last error in words, and for a dead one: edit the field Salesforce refused,
// then Replay; Replay all. An item holding only a call's outcome actions (refused beside its
// delivered log, `<call id>#actions`) shows as that call's actions, replayable alone, not as a
// call log. Refreshes when the shell announces a queue change.

import type { View } from "../../shell/view";
import { onLocaleChange, t, type MessageKey } from "../../i18n";
import {
  editQueuedCallLog,
  onQueueChanged,
  queueOverview,
  replayAllCallLogs,
  replayQueuedCallLog,
  type QueueEntry,
  type QueueOverview,
} from "./backend";
import { describeAction } from "../call-log/actions";
import "./queue.css";

const STATES = ["pending", "in_flight", "delivered", "dead"] as const;

export const queueView: View = {
  id: "queue",
  label: "queue.tab",
  mount(section) {
    mountQueue(section);
  },
  onShow() {
    void refresh();
  },
};

let refresh: () => Promise<void> = async () => {};

function mountQueue(root: HTMLElement): void {
  const problem = document.createElement("p");
  problem.id = "queue-problem";
  problem.className = "queue-problem";
  problem.setAttribute("role", "alert");
  problem.hidden = true;
  const notice = document.createElement("p");
  notice.id = "queue-notice";
  notice.className = "queue-notice";
  notice.hidden = true;
  const counts = document.createElement("dl");
  counts.id = "queue-counts";
  counts.className = "queue-counts";
  const actions = document.createElement("div");
  actions.className = "queue-actions";
  const replayAll = document.createElement("button");
  replayAll.type = "button";
  replayAll.id = "queue-replay-all";
  const message = document.createElement("p");
  message.id = "queue-message";
  message.className = "queue-message";
  message.setAttribute("aria-live", "polite");
  actions.append(replayAll, message);
  const list = document.createElement("ol");
  list.id = "queue-items";
  list.className = "queue-items";
  const empty = document.createElement("p");
  empty.id = "queue-empty";
  empty.className = "queue-empty";
  root.append(problem, notice, counts, actions, list, empty);

  let overview: QueueOverview | null = null;
  // What the last refresh showed: an unchanged answer is not re-rendered (a busy queue sends
  // change events all the time; re-rendering would replace buttons under the pointer).
  let shown = "";
  // The dead letter being edited keeps its editor open across refreshes: the same form
  // node, so what the admin typed (and where the caret is) survives other calls' changes.
  let editing: number | null = null;
  let editor: { id: number; node: HTMLElement } | null = null;

  const render = (): void => {
    if (editor !== null && editor.id !== editing) editor = null;
    const focused = editor?.node.contains(document.activeElement) ? document.activeElement : null;
    const caret: [number | null, number | null] | null =
      focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement
        ? [focused.selectionStart, focused.selectionEnd]
        : null;
    replayAll.textContent = t("queue.replayAll");
    problem.hidden = !overview?.problem;
    problem.textContent = overview?.problem ?? "";
    notice.hidden = !overview?.notice;
    notice.textContent = overview?.notice ?? "";
    counts.replaceChildren(
      ...STATES.flatMap((state) => {
        const term = document.createElement("dt");
        term.textContent = t(`queue.count.${state}`);
        const value = document.createElement("dd");
        value.dataset.count = state;
        value.textContent = String(overview?.counts[state] ?? 0);
        return [term, value];
      }),
    );
    replayAll.disabled = (overview?.counts.dead ?? 0) === 0;
    const entries = overview?.entries ?? [];
    empty.textContent = entries.length === 0 ? t("queue.empty") : "";
    list.replaceChildren(...entries.map((entry) => renderEntry(entry)));
    if (focused instanceof HTMLElement && focused.isConnected) {
      focused.focus();
      if (caret && (focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement)) {
        focused.setSelectionRange(caret[0], caret[1]);
      }
    }
  };

  const renderEntry = (entry: QueueEntry): HTMLElement => {
    const item = document.createElement("li");
    item.className = "queue-item";
    item.dataset.id = String(entry.id);
    item.dataset.callId = entry.call_id;
    item.dataset.state = entry.state;
    const head = document.createElement("div");
    head.className = "queue-item-head";
    const state = document.createElement("span");
    state.className = "queue-state";
    state.textContent = t(`queue.state.${entry.state}` as MessageKey);
    const actionsOf = entry.actions_of_call;
    if (actionsOf !== null) item.dataset.actionsOf = actionsOf;
    const call = document.createElement("span");
    call.className = "queue-call";
    call.textContent = t("queue.call", { from: entry.from, to: entry.to });
    const id = document.createElement("code");
    id.className = "queue-call-id";
    // Ids read left to right in every language; dir also isolates it from the line around it.
    id.dir = "ltr";
    id.textContent = actionsOf ?? entry.call_id;
    if (actionsOf === null) head.append(state, " ", call, " ", id);
    else head.append(state, " ", actionsHeading(actionsOf));
    item.append(head);
    if (entry.actions.length > 0) {
      const actions = document.createElement("ul");
      actions.className = "queue-actions";
      for (const action of entry.actions) {
        const line = document.createElement("li");
        line.className = "queue-action";
        line.dataset.action = action.name;
        line.dataset.state = action.state;
        const text = document.createElement("span");
        text.dir = "auto";
        text.textContent = describeAction(action);
        line.append(text, " — ", t(`queue.actionState.${action.state}` as MessageKey));
        actions.append(line);
      }
      item.append(actions);
    }
    if (actionsOf === null && entry.subject) {
      const subject = document.createElement("p");
      subject.className = "queue-subject";
      subject.textContent = entry.subject;
      item.append(subject);
    }
    if (entry.reason) {
      const reason = document.createElement("p");
      reason.className = "queue-reason";
      const key = actionsOf !== null && entry.reason === "refused" ? "queue.reason.actionsRefused" : `queue.reason.${entry.reason}`;
      reason.textContent = t(key as MessageKey, {
        org: entry.held_for ?? "",
        attempts: entry.attempts,
      });
      item.append(reason);
    }
    if (entry.last_error && entry.reason !== "held") {
      const error = document.createElement("p");
      error.className = "queue-error";
      error.dir = "auto";
      error.textContent = entry.last_error_code ? `${entry.last_error_code}: ${entry.last_error}` : entry.last_error;
      item.append(error);
    }
    if (entry.state === "dead") {
      const buttons = document.createElement("div");
      buttons.className = "queue-item-actions";
      const edit = document.createElement("button");
      edit.type = "button";
      edit.className = "queue-edit";
      edit.textContent = t("queue.edit");
      edit.addEventListener("click", () => {
        editing = editing === entry.id ? null : entry.id;
        render();
        list.querySelector<HTMLElement>(`.queue-item[data-id="${entry.id}"] .queue-edit-subject`)?.focus();
      });
      const replay = document.createElement("button");
      replay.type = "button";
      replay.className = "queue-replay";
      replay.textContent = t("queue.replay");
      replay.addEventListener("click", async () => {
        const done = await replayQueuedCallLog(entry.id);
        say(done.ok ? t("queue.replayed", { count: 1 }) : done.error.message);
        await refresh();
      });
      // An actions item has no log fields to correct: its fix is in Salesforce or the config.
      if (actionsOf === null) buttons.append(edit, replay);
      else buttons.append(replay);
      item.append(buttons);
      if (editing === entry.id) {
        if (editor?.id !== entry.id) editor = { id: entry.id, node: renderEditor(entry) };
        item.append(editor.node);
      }
    }
    return item;
  };

  const renderEditor = (entry: QueueEntry): HTMLElement => {
    const form = document.createElement("form");
    form.className = "queue-edit-form";
    form.noValidate = true;
    const text = (key: MessageKey, className: string, value: string, multiline = false): HTMLInputElement | HTMLTextAreaElement => {
      const label = document.createElement("label");
      label.className = "queue-edit-field";
      const caption = document.createElement("span");
      caption.textContent = t(key);
      const control = multiline ? document.createElement("textarea") : document.createElement("input");
      control.className = className;
      control.value = value;
      control.dir = "auto";
      label.append(caption, control);
      form.append(label);
      return control;
    };
    const subject = text("queue.field.subject", "queue-edit-subject", entry.subject);
    const disposition = text("queue.field.disposition", "queue-edit-disposition", entry.disposition);
    const what = text("queue.field.what", "queue-edit-what", entry.what_id ?? "");
    const notes = text("queue.field.notes", "queue-edit-notes", entry.notes, true);
    const error = document.createElement("p");
    error.className = "queue-edit-error";
    error.setAttribute("role", "alert");
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "queue-save";
    save.textContent = t("queue.save");
    form.append(error, save);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const saved = await editQueuedCallLog(entry.id, {
        subject: subject.value,
        disposition: disposition.value,
        notes: notes.value,
        who_id: entry.who_id,
        what_id: what.value.trim() === "" ? null : what.value.trim(),
      });
      if (!saved.ok) {
        error.textContent = saved.error.message;
        return;
      }
      editing = null;
      say(t("queue.saved"));
      await refresh();
    });
    return form;
  };

  const say = (text: string): void => {
    message.textContent = text;
  };

  refresh = async (): Promise<void> => {
    const answer = await queueOverview();
    const next: QueueOverview = answer.ok
      ? answer.value
      : { counts: { pending: 0, in_flight: 0, delivered: 0, dead: 0 }, entries: [], problem: answer.error.message, notice: null };
    const snapshot = JSON.stringify(next);
    if (snapshot === shown && (editor?.id ?? null) === editing) return;
    shown = snapshot;
    overview = next;
    render();
  };

  replayAll.addEventListener("click", async () => {
    const done = await replayAllCallLogs();
    say(done.ok ? t("queue.replayed", { count: done.value }) : done.error.message);
    await refresh();
  });
  onLocaleChange(() => {
    // The editor's captions are in the old language: build it again (a rare moment to lose
    // half-typed text, and the admin just chose to switch).
    editor = null;
    render();
  });
  render();
  // A hidden queue view is refreshed when shown (`onShow`), not on every change: each render
  // asks the shell for the whole queue and makes the list's nodes anew, work (and DOM churn)
  // for a list nobody looks at while calls come and go.
  void onQueueChanged(() => {
    if (!root.hidden) void refresh();
  });
  void refresh();
}

/** "Actions of call <id>" (the id isolated inside the sentence by `t`, as every value is). */
function actionsHeading(callId: string): HTMLElement {
  const heading = document.createElement("span");
  heading.className = "queue-call queue-actions-of";
  heading.textContent = t("queue.actionsOf", { call: callId });
  return heading;
}
