// The log form, right under the caller in the caller view: a form per ended call, prefilled by
// the shell (direction, numbers, start, duration, matched record, its open Opportunities and
// Cases), taking disposition, subject and notes. "Log call" commits the log to the durable queue
// and the form turns into a result line that follows the queue: queued → sent (or dead).
// A form left alone is logged by the shell's idle rule; "Log a call" opens an empty form.

import { currentLocale, objectName, onLocaleChange, t } from "../../i18n";
import {
  callLogOptions,
  callLogState,
  chooseCallRecord,
  logCall,
  onCallLogLogged,
  onCallLogOpened,
  onQueueChanged,
  openCallLogs,
  pressCallIntent,
  previewCallActions,
  releaseCallIntent,
  startCallLog,
  updateCallLog,
  type ActionChoices,
  type ActionsPreview,
  type Bant,
  type CallIntentButton,
  type DraftFields,
  type FormOptions,
  type LoggedCall,
  type OpenCallLog,
} from "./backend";
import { queueOverview } from "../queue/backend";
import { dateInputValue, dateTimeInputValue, describeAction, describeSkipped, followUpAt, localDay } from "./actions";
import type { Outcome } from "../../backend";
import "./call-log.css";

/** Salesforce's limit on Task.Description, in characters (code points, as Salesforce counts). */
export const MAX_NOTES_CHARS = 32_000;
/** Inputs are sent to the shell this long after the last keystroke (restarts the idle time). */
const SAVE_DELAY_MS = 300;
/**
 * Result lines kept under the forms (the newest). Older ones are dropped so a long day (or
 * a soak of thousands of calls) does not grow the page and re-render every line on each
 * change; the queue view lists every call still to send and the recent deliveries.
 */
const MAX_RESULT_LINES = 20;

/** Adds (or replaces) a result, keeping only the newest `max` in insertion order. */
function keepNewest<K, V>(results: Map<K, V>, key: K, value: V, max: number): void {
  results.delete(key);
  results.set(key, value);
  for (const oldest of results.keys()) {
    if (results.size <= max) break;
    results.delete(oldest);
  }
}

/** Characters as Salesforce counts them: code points, not UTF-16 units (emoji, CJK extension B). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

type ResultState = "queued" | "pending" | "in_flight" | "delivered" | "dead" | "kept" | "failed";

interface Result {
  callId: string;
  label: string;
  state: ResultState;
  message: string | null;
  automatic: boolean;
}

export function mountCallLog(root: HTMLElement): void {
  const section = document.createElement("section");
  section.id = "call-log";
  section.className = "call-log";
  const header = document.createElement("div");
  header.className = "call-log-header";
  const title = document.createElement("h2");
  title.className = "call-log-title";
  const start = document.createElement("button");
  start.type = "button";
  start.id = "call-log-start";
  header.append(title, start);
  // What is wrong with the call-log database (read-only, full, moved aside) and what to do:
  // the agent must see it where they log calls, not only in the queue view.
  const problem = document.createElement("p");
  problem.id = "call-log-problem";
  problem.className = "call-log-problem";
  problem.setAttribute("role", "alert");
  problem.hidden = true;
  const forms = document.createElement("div");
  forms.id = "call-log-forms";
  const results = document.createElement("ul");
  results.id = "call-log-results";
  results.className = "call-log-results";
  results.setAttribute("aria-live", "polite");
  section.append(header, problem, forms, results);
  root.append(section);

  const open = new Map<string, { form: OpenCallLog; element: HTMLFormElement }>();
  // Intent buttons and outcome picklist from the org's describe; until (or unless) they
  // arrive, the form has free text and no intents.
  let options: FormOptions = { intents: [], dispositions: null, memo: { kind: "none" } };
  const done = new Map<string, Result>();

  const renderChrome = (): void => {
    title.textContent = t("callLog.title");
    start.textContent = t("callLog.start");
    section.setAttribute("aria-label", t("callLog.title"));
  };

  // One line per result, built when the result first shows and changed in place after:
  // re-making all twenty lines on each state change was most of the DOM nodes the main
  // window made per call (memory bench: 587 nodes per call before, 100 after).
  const lines = new Map<string, { item: HTMLLIElement; shown: string }>();
  const fillLine = (item: HTMLLIElement, result: Result): void => {
    item.dataset.state = result.state;
    const text = document.createElement("span");
    text.className = "call-log-result-text";
    text.textContent = t(`callLog.result.${result.state}`, { call: result.label });
    item.replaceChildren(text);
    if (result.automatic) {
      const auto = document.createElement("span");
      auto.className = "call-log-result-auto";
      auto.textContent = t("callLog.result.automatic");
      item.append(" ", auto);
    }
    if (result.message) {
      const detail = document.createElement("span");
      detail.className = "call-log-result-detail";
      detail.textContent = result.message;
      item.append(" ", detail);
    }
  };

  const renderResults = (): void => {
    for (const [callId, line] of lines) {
      if (done.has(callId)) continue;
      line.item.remove();
      lines.delete(callId);
    }
    // Newest first; each line is (re)placed only when it is not where it belongs already.
    let previous: HTMLLIElement | null = null;
    for (const result of [...done.values()].reverse()) {
      let line = lines.get(result.callId);
      if (!line) {
        const item = document.createElement("li");
        item.className = "call-log-result";
        item.dataset.callId = result.callId;
        line = { item, shown: "" };
        lines.set(result.callId, line);
      }
      const shown = JSON.stringify([currentLocale(), result.state, result.label, result.automatic, result.message]);
      if (line.shown !== shown) {
        fillLine(line.item, result);
        line.shown = shown;
      }
      const expected: Element | null = previous ? previous.nextElementSibling : results.firstElementChild;
      if (expected !== line.item) {
        if (previous) previous.after(line.item);
        else results.prepend(line.item);
      }
      previous = line.item;
    }
  };

  const refreshStates = async (): Promise<void> => {
    for (const result of done.values()) {
      if (result.state === "kept" || result.state === "failed" || result.state === "delivered") continue;
      const state = await callLogState(result.callId);
      if (state.ok && state.value !== null) result.state = state.value as ResultState;
    }
    renderResults();
  };

  const logged = (outcome: LoggedCall, label: string): void => {
    if (outcome.outcome === "failed") {
      const entry = open.get(outcome.call_id);
      if (entry) showFormError(entry.element, outcome.message ?? "");
      return;
    }
    removeForm(outcome.call_id);
    const result: Result = {
      callId: outcome.call_id,
      label,
      state: outcome.outcome === "kept" ? "kept" : "queued",
      // A queued log's message says why its outcome actions were not applied.
      message:
        outcome.outcome === "queued" && outcome.message
          ? t("callLog.actions.notApplied", { reason: outcome.message })
          : outcome.message,
      automatic: outcome.automatic,
    };
    keepNewest(done, outcome.call_id, result, MAX_RESULT_LINES);
    renderResults();
    void refreshStates();
  };

  const removeForm = (callId: string): void => {
    const entry = open.get(callId);
    if (entry) discardForm(entry.element);
    open.delete(callId);
  };

  const show = (form: OpenCallLog, focus: boolean): void => {
    const existing = open.get(form.draft.call_id);
    const callId = form.draft.call_id;
    // Press and pick change the form in the shell: what was typed goes first, so the
    // re-rendered form (from the shell's answer) keeps it.
    const thenRerender = async (fields: DraftFields, change: () => Promise<Outcome<OpenCallLog>>): Promise<void> => {
      await updateCallLog(callId, fields);
      const changed = await change();
      if (changed.ok) show(changed.value, false);
      else showFormError(element, changed.error.message);
    };
    const element = renderForm(form, options, {
      save: (fields) => updateCallLog(callId, fields),
      submit: async (fields) => {
        const outcome = await logCall(callId, fields);
        if (outcome.ok) logged(outcome.value, callLabel(form, fields));
        else showFormError(element, outcome.error.message);
      },
      press: (fields, name, input) => thenRerender(fields, () => pressCallIntent(callId, name, input)),
      release: (fields, name) => thenRerender(fields, () => releaseCallIntent(callId, name)),
      choose: (fields, recordId) => thenRerender(fields, () => chooseCallRecord(callId, recordId)),
      preview: (fields) => previewCallActions(callId, fields),
    });
    if (existing) {
      existing.element.replaceWith(element);
      discardForm(existing.element);
    } else forms.prepend(element);
    open.set(form.draft.call_id, { form, element });
    if (focus) element.querySelector<HTMLElement>(".call-log-disposition")?.focus();
  };

  start.addEventListener("click", async () => {
    const form = await startCallLog();
    if (form.ok) show(form.value, true);
  });
  onLocaleChange(() => {
    renderChrome();
    for (const { form } of open.values()) show(form, false);
    renderResults();
  });
  renderChrome();

  // No event permission (a plain browser) only means forms come from "Log a call".
  void onCallLogOpened((form) => show(form, true));
  void onCallLogLogged((outcome) => {
    const entry = open.get(outcome.call_id);
    if (entry || outcome.automatic) logged(outcome, entry ? callLabel(entry.form, entry.form.draft.fields) : outcome.call_id);
  });
  void onQueueChanged(() => void refreshStates());
  void queueOverview().then((overview) => {
    if (!overview.ok) return;
    const text = [overview.value.problem, overview.value.notice].filter((line) => line).join(" ");
    problem.textContent = text;
    problem.hidden = text === "";
  });
  void openCallLogs().then((forms) => {
    if (forms.ok) for (const form of forms.value) show(form, false);
  });
  void callLogOptions().then((loaded) => {
    if (!loaded.ok) return;
    options = loaded.value;
    for (const { form } of [...open.values()]) show(form, false);
  });
}

/** The call in a result line: who, with their number (each isolated), else the number, else the id. */
function callLabel(form: OpenCallLog, fields: DraftFields): string {
  const other = fields.direction === "outbound" ? fields.to : fields.from;
  if (form.draft.matched) return t("callLog.callWith", { name: form.draft.matched.label, number: shownNumber(other) });
  return other === "" ? form.draft.call_id : shownNumber(other);
}

/**
 * A number as the agent reads it: the shell's words for "no number" (`UNKNOWN_NUMBER`,
 * "anonymous" in ringside-core's call_log/draft.rs) in the agent's language. Display only:
 * the field itself keeps the shell's value.
 */
function shownNumber(number: string): string {
  if (number === "unknown") return t("callLog.unknownNumber");
  if (number === "anonymous") return t("popup.withheldNumber");
  return number;
}

/**
 * Lets go of a log form for good: takes it out of the page, then empties it. WebKitGTK 2.50
 * (the desktop's web view) never frees a `<form>` dropped with its controls still inside: a
 * bare WebKitGTK page (no Ringside) that adds and drops one log-form-like form 20 times a
 * second grew its web process by 115 MiB over 2,000 forms, and by 4 MiB when each form was
 * emptied after removal; the same controls in a `<div>` did not grow at all. Emptying the
 * removed form is what lets both go. That leak was most of the desktop's memory growth per
 * logged call (issue 16's soak).
 */
function discardForm(form: HTMLFormElement): void {
  form.remove();
  form.replaceChildren();
}

function showFormError(element: HTMLElement, message: string): void {
  const error = element.querySelector<HTMLElement>(".call-log-error");
  if (!error) return;
  error.textContent = message;
  error.hidden = message === "";
}

interface FormActions {
  save(fields: DraftFields): Promise<unknown>;
  submit(fields: DraftFields): Promise<void>;
  press(fields: DraftFields, name: string, input: string | null): Promise<void>;
  release(fields: DraftFields, name: string): Promise<void>;
  choose(fields: DraftFields, recordId: string): Promise<void>;
  preview(fields: DraftFields): Promise<Outcome<ActionsPreview>>;
}

function field(labelKey: Parameters<typeof t>[0], control: HTMLElement, className: string): HTMLElement {
  const wrapper = document.createElement("label");
  wrapper.className = `call-log-field ${className}-field`;
  const label = document.createElement("span");
  label.className = "call-log-label";
  label.textContent = t(labelKey);
  wrapper.append(label, control);
  return wrapper;
}

function input(className: string, value: string, type = "text"): HTMLInputElement {
  const element = document.createElement("input");
  element.type = type;
  element.className = className;
  element.value = value;
  element.dir = "auto";
  return element;
}

function renderForm(open: OpenCallLog, options: FormOptions, actions: FormActions): HTMLFormElement {
  const { draft } = open;
  const form = document.createElement("form");
  form.className = "call-log-form";
  form.dataset.callId = draft.call_id;
  form.dataset.missed = String(draft.missed);
  form.dataset.manual = String(draft.manual);
  form.noValidate = true;

  const summary = document.createElement("p");
  summary.className = "call-log-summary";
  const fields = draft.fields;
  const started = new Intl.DateTimeFormat(currentLocale(), { dateStyle: "short", timeStyle: "medium" }).format(
    new Date(draft.started_at_ms),
  );
  summary.textContent = t(draft.missed ? "callLog.summaryMissed" : "callLog.summary", {
    direction: t(fields.direction === "outbound" ? "callLog.outbound" : "callLog.inbound"),
    from: shownNumber(fields.from),
    to: shownNumber(fields.to),
    started,
    duration: formatDuration(fields.duration_seconds),
  });
  form.append(summary);
  // Several records matched the caller: the agent says which one the call was with.
  const whoPicker = document.createElement("select");
  whoPicker.className = "call-log-who";
  if (draft.candidates.length > 1) {
    for (const candidate of draft.candidates) {
      const option = document.createElement("option");
      option.value = candidate.record.id;
      option.textContent = recordChoice(candidate.record);
      option.selected = draft.matched?.id === candidate.record.id;
      whoPicker.append(option);
    }
    form.append(field("callLog.who", whoPicker, "call-log-who"));
  } else if (draft.matched) {
    const who = document.createElement("p");
    who.className = "call-log-matched";
    who.dataset.recordId = draft.matched.id;
    who.textContent = t("callLog.matched", { name: draft.matched.label, object: objectName(draft.matched.object) });
    form.append(who);
  }

  // A form opened by hand has no call to read these from: the agent types them.
  const direction = document.createElement("select");
  direction.className = "call-log-direction";
  for (const value of ["inbound", "outbound"] as const) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = t(value === "inbound" ? "callLog.inbound" : "callLog.outbound");
    option.selected = fields.direction === value;
    direction.append(option);
  }
  const from = input("call-log-from", fields.from, "tel");
  const to = input("call-log-to", fields.to, "tel");
  const duration = input("call-log-duration", String(fields.duration_seconds), "number");
  duration.min = "0";
  if (draft.manual) {
    const row = document.createElement("div");
    row.className = "call-log-row";
    row.append(
      field("callLog.direction", direction, "call-log-direction"),
      field("callLog.from", from, "call-log-from"),
      field("callLog.to", to, "call-log-to"),
      field("callLog.duration", duration, "call-log-duration"),
    );
    form.append(row);
  }

  // The org's picklist when the disposition field is one; else free text with suggestions.
  const dispositions = document.createElement("datalist");
  dispositions.id = `call-log-dispositions-${draft.call_id}`;
  let disposition: HTMLInputElement | HTMLSelectElement;
  if (options.dispositions) {
    const select = document.createElement("select");
    select.className = "call-log-disposition";
    const values = [...options.dispositions];
    // A value the softphone gave that the picklist lacks stays selectable, never dropped.
    if (fields.disposition !== "" && !values.includes(fields.disposition)) values.unshift(fields.disposition);
    const empty = document.createElement("option");
    empty.value = "";
    empty.textContent = t("callLog.dispositionNone");
    select.append(empty);
    for (const value of values) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      option.selected = fields.disposition === value;
      select.append(option);
    }
    disposition = select;
  } else {
    const text = input("call-log-disposition", fields.disposition);
    for (const key of ["callLog.disposition.resolved", "callLog.disposition.callback", "callLog.disposition.voicemail", "callLog.disposition.missed"] as const) {
      const option = document.createElement("option");
      option.value = t(key);
      dispositions.append(option);
    }
    text.setAttribute("list", dispositions.id);
    disposition = text;
  }
  const subject = input("call-log-subject", fields.subject);
  subject.maxLength = 255;
  subject.placeholder = t("callLog.subjectPlaceholder");

  const what = document.createElement("select");
  what.className = "call-log-what";
  const none = document.createElement("option");
  none.value = "";
  none.textContent = t("callLog.whatNone");
  what.append(none);
  for (const choice of draft.what_choices) {
    const option = document.createElement("option");
    option.value = choice.id;
    option.textContent = recordChoice(choice);
    option.selected = fields.what_id === choice.id;
    what.append(option);
  }

  const notes = document.createElement("textarea");
  notes.className = "call-log-notes";
  notes.rows = 4;
  notes.dir = "auto";
  notes.value = fields.notes;
  const count = document.createElement("p");
  count.className = "call-log-notes-count";
  count.setAttribute("aria-live", "polite");

  // What a softphone's transcription gives (today only `log-call` could set these): the AI
  // summary, its key topics and the recording link, saved with the draft and sent with the log.
  const aiSummary = document.createElement("textarea");
  aiSummary.className = "call-log-ai-summary";
  aiSummary.rows = 3;
  aiSummary.dir = "auto";
  aiSummary.value = fields.summary;
  const topics = input("call-log-key-topics", fields.key_topics.join(", "));
  topics.placeholder = t("callLog.keyTopicsHint");
  const memo = renderMemo(options.memo, fields.memo);
  const recording = input("call-log-recording-url", fields.recording_url);
  recording.type = "url";
  recording.placeholder = "https://";
  const recordingError = document.createElement("p");
  recordingError.className = "call-log-recording-error";
  recordingError.setAttribute("role", "alert");
  recordingError.hidden = true;

  const row = document.createElement("div");
  row.className = "call-log-row";
  row.append(field("callLog.disposition", disposition, "call-log-disposition"), field("callLog.subject", subject, "call-log-subject"));
  if (draft.what_choices.length > 0) row.append(field("callLog.what", what, "call-log-what"));
  // What the chosen outcome will also do in Salesforce: filled by the shell's preview.
  const outcomeActions = document.createElement("fieldset");
  outcomeActions.className = "call-log-actions";
  outcomeActions.hidden = true;
  // The BANT notes `lead_notes` appends to the Lead: their own group, shown while the chosen
  // outcome has that action, kept (not rebuilt) as the list above changes so typing is never
  // interrupted, and saved with the form whether shown or not (nothing typed is lost).
  const bant = renderBant(fields.actions?.bant);
  form.append(row, dispositions, outcomeActions, bant.group, field("callLog.notes", notes, "call-log-notes"), count);
  form.append(
    field("callLog.aiSummary", aiSummary, "call-log-ai-summary"),
    field("callLog.keyTopics", topics, "call-log-key-topics"),
    ...(memo ? [memo.element] : []),
    field("callLog.recordingUrl", recording, "call-log-recording-url"),
    recordingError,
  );
  if (options.intents.length > 0) form.append(renderIntents(draft, options.intents, (name, input) => actions.press(current(), name, input), (name) => actions.release(current(), name)));

  const error = document.createElement("p");
  error.className = "call-log-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  const footer = document.createElement("div");
  footer.className = "call-log-footer";
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.className = "call-log-submit";
  submit.textContent = t("callLog.submit");
  const auto = document.createElement("span");
  auto.className = "call-log-auto";
  footer.append(submit, auto);
  form.append(error, footer);

  const current = (): DraftFields => {
    const notesForLead = bant.value();
    return {
      direction: direction.value === "outbound" ? "outbound" : "inbound",
      from: from.value,
      to: to.value,
      duration_seconds: Math.max(0, Math.trunc(Number(duration.value) || 0)),
      disposition: disposition.value,
      subject: subject.value,
      notes: notes.value,
      who_id: fields.who_id,
      what_id: what.value === "" ? (draft.what_choices.length > 0 ? null : fields.what_id) : what.value,
      summary: aiSummary.value,
      key_topics: splitTopics(topics.value),
      // No memo field in this org: what a saved form held is kept, never dropped.
      memo: memo ? memo.value() : fields.memo,
      recording_url: recording.value.trim(),
      actions: { skip: [...choices.skip], follow_up_at_ms: choices.follow_up_at_ms, ...(notesForLead ? { bant: notesForLead } : {}) },
    };
  };
  // Only a web link opens as a recording: anything else (javascript:, file:) is refused here
  // in words, and again by the core when the log is made.
  const recordingOk = (): boolean => {
    const ok = isWebLink(recording.value);
    recordingError.hidden = ok;
    recordingError.textContent = ok ? "" : t("callLog.recordingUrlInvalid");
    return ok;
  };

  // The agent's choices about the outcome's actions (unticked ones, a moved follow-up), saved
  // with the form like every other input and sent with "Log call".
  const choices: ActionChoices = { skip: [...(fields.actions?.skip ?? [])], follow_up_at_ms: fields.actions?.follow_up_at_ms ?? null };
  let previewed = 0;
  let shown = "";
  const refreshActions = (): void => {
    const asked = ++previewed;
    void actions.preview(current()).then((answer) => {
      // Only the answer to the latest question: an older one may arrive after it.
      if (asked !== previewed) return;
      if (!answer.ok) {
        outcomeActions.hidden = true;
        return;
      }
      bant.group.hidden = !answer.value.actions.some((action) => action.name === "lead_notes");
      // The same actions again (the agent typed notes): leave the list, and its focus, alone.
      const key = JSON.stringify([answer.value, choices]);
      if (key === shown) return;
      shown = key;
      const focused = document.activeElement;
      const refocus =
        focused instanceof HTMLElement && outcomeActions.contains(focused)
          ? `[data-action="${focused.closest<HTMLElement>(".call-log-action")?.dataset.action ?? ""}"] .${focused.className}`
          : null;
      renderOutcomeActions(outcomeActions, answer.value, choices);
      if (refocus) outcomeActions.querySelector<HTMLElement>(refocus)?.focus();
    });
  };
  refreshActions();

  let autoAt = open.auto_log_at_ms;
  const renderAuto = (): void => {
    auto.textContent =
      autoAt === null
        ? ""
        : t("callLog.autoLogAt", {
            time: new Intl.DateTimeFormat(currentLocale(), { timeStyle: "medium" }).format(new Date(autoAt)),
          });
  };
  const renderCount = (): void => {
    const used = charCount(notes.value);
    const over = used > MAX_NOTES_CHARS;
    count.dataset.over = String(over);
    count.textContent = over
      ? t("callLog.notesOver", { count: used.toLocaleString(currentLocale()), max: MAX_NOTES_CHARS.toLocaleString(currentLocale()), extra: (used - MAX_NOTES_CHARS).toLocaleString(currentLocale()) })
      : t("callLog.notesCount", { count: used.toLocaleString(currentLocale()), max: MAX_NOTES_CHARS.toLocaleString(currentLocale()) });
    submit.disabled = over;
  };
  renderAuto();
  renderCount();

  let timer: ReturnType<typeof setTimeout> | undefined;
  form.addEventListener("input", (event) => {
    // The record picker and the intents' own inputs act on their own, not as form edits.
    if (event.target === whoPicker || (event.target as HTMLElement).closest(".call-log-intents")) return;
    renderCount();
    if (event.target === recording) recordingOk();
    // Another outcome: the choices made for the last one do not carry over.
    if (event.target === disposition) {
      choices.skip = [];
      choices.follow_up_at_ms = null;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      refreshActions();
      void actions.save(current()).then((outcome) => {
        const saved = outcome as { ok: boolean; value?: OpenCallLog };
        if (saved.ok && saved.value) {
          autoAt = saved.value.auto_log_at_ms;
          renderAuto();
        }
      });
    }, SAVE_DELAY_MS);
  });
  whoPicker.addEventListener("change", (event) => {
    event.stopPropagation();
    clearTimeout(timer);
    void actions.choose(current(), whoPicker.value);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    if (charCount(notes.value) > MAX_NOTES_CHARS) return;
    if (!recordingOk()) return;
    showFormError(form, "");
    submit.disabled = true;
    void actions.submit(current()).finally(() => {
      submit.disabled = charCount(notes.value) > MAX_NOTES_CHARS;
    });
  });
  return form;
}

/**
 * The chosen outcome's actions, each with a tick box (unticked: not run for this call), the
 * follow-up's date (and time, for an Event) adjustable. An action the call has no record for
 * (no Lead on the call, no Opportunity picked under "About") is shown unticked, with why. A
 * broken ringside.toml says the actions are not applied: the log still goes.
 */
function renderOutcomeActions(group: HTMLFieldSetElement, preview: ActionsPreview, choices: ActionChoices): void {
  const legend = document.createElement("legend");
  legend.textContent = t("callLog.actions.title");
  const children: HTMLElement[] = [legend];
  if (preview.problem) {
    const problem = document.createElement("p");
    problem.className = "call-log-actions-problem";
    problem.setAttribute("role", "alert");
    problem.dir = "auto";
    problem.textContent = t("callLog.actions.notApplied", { reason: preview.problem });
    children.push(problem);
  }
  const list = document.createElement("ul");
  list.className = "call-log-action-list";
  for (const action of preview.actions) {
    const item = document.createElement("li");
    item.className = "call-log-action";
    item.dataset.action = action.name;
    // The record it writes (empty for a create, or when the call has none): tests and styles
    // can tell the list for the picked record from the one before.
    item.dataset.recordId = action.record_id ?? "";
    const possible = action.state !== "skipped";
    const label = document.createElement("label");
    const tick = document.createElement("input");
    tick.type = "checkbox";
    tick.className = "call-log-action-run";
    tick.disabled = !possible;
    tick.checked = possible && !choices.skip.includes(action.name);
    item.dataset.run = String(tick.checked);
    tick.addEventListener("input", () => {
      // Runs before the form's own input listener, which saves the choices.
      choices.skip = choices.skip.filter((name) => name !== action.name);
      if (!tick.checked) choices.skip.push(action.name);
      item.dataset.run = String(tick.checked);
    });
    const text = document.createElement("span");
    text.className = "call-log-action-text";
    text.dir = "auto";
    text.textContent = possible ? describeAction(action) : describeSkipped(action);
    label.append(tick, " ", text);
    item.append(label);
    const at = possible && action.name === "follow_up" ? followUpAt(action) : null;
    if (at) {
      const when = document.createElement("input");
      const event = action.object === "Event";
      when.type = event ? "datetime-local" : "date";
      when.className = "call-log-follow-up-at";
      when.value = event ? dateTimeInputValue(at) : dateInputValue(at);
      when.setAttribute("aria-label", t(event ? "callLog.actions.followUpWhen" : "callLog.actions.followUpDay"));
      when.addEventListener("input", () => {
        const chosen = event ? new Date(when.value) : localDay(when.value);
        const ms = chosen?.getTime();
        if (ms !== undefined && !Number.isNaN(ms)) choices.follow_up_at_ms = ms;
      });
      item.append(" ", when);
    }
    list.append(item);
  }
  children.push(list);
  group.replaceChildren(...children);
  group.hidden = preview.actions.length === 0 && !preview.problem;
}

/** A BANT note's longest text (ringside-core's `Bant::MAX_CHARS`): a short note, not a document. */
const MAX_BANT_CHARS = 1000;

/**
 * The four BANT inputs (Budget, Authority, Need, Timeline), hidden until the chosen outcome
 * has `lead_notes`. `value()` is what the form saves: `undefined` when nothing is written.
 */
function renderBant(saved: Bant | undefined): { group: HTMLFieldSetElement; value(): Bant | undefined } {
  const group = document.createElement("fieldset");
  group.className = "call-log-bant";
  group.hidden = true;
  const legend = document.createElement("legend");
  legend.textContent = t("callLog.bant.title");
  group.append(legend);
  const parts = ["budget", "authority", "need", "timeline"] as const;
  const inputs = {} as Record<(typeof parts)[number], HTMLInputElement>;
  for (const part of parts) {
    const control = input(`call-log-bant-${part}`, saved?.[part] ?? "");
    control.maxLength = MAX_BANT_CHARS;
    inputs[part] = control;
    group.append(field(`callLog.bant.${part}`, control, `call-log-bant-${part}`));
  }
  return {
    group,
    value: () => {
      const bant: Bant = { budget: inputs.budget.value, authority: inputs.authority.value, need: inputs.need.value, timeline: inputs.timeline.value };
      return parts.some((part) => bant[part].trim() !== "") ? bant : undefined;
    },
  };
}

/** The call's intent buttons: pressed ones show their value and take a second press to undo. */
function renderIntents(
  draft: OpenCallLog["draft"],
  buttons: CallIntentButton[],
  press: (name: string, input: string | null) => Promise<void>,
  release: (name: string) => Promise<void>,
): HTMLElement {
  const group = document.createElement("fieldset");
  group.className = "call-log-intents";
  const legend = document.createElement("legend");
  legend.textContent = t("callLog.intents");
  group.append(legend);
  for (const button of buttons) {
    const pressed = draft.pressed.find((p) => p.name === button.name);
    const item = document.createElement("div");
    item.className = "call-log-intent";
    item.dataset.intent = button.name;
    item.dataset.pressed = String(pressed !== undefined);
    let value: HTMLInputElement | HTMLSelectElement | null = null;
    if (button.kind === "choose") {
      const select = document.createElement("select");
      select.className = "call-log-intent-input";
      for (const choice of button.values) {
        const option = document.createElement("option");
        option.value = choice;
        option.textContent = choice;
        option.selected = pressed?.input === choice;
        select.append(option);
      }
      value = select;
    } else if (button.kind === "typed") {
      const text = input("call-log-intent-input", pressed?.input ?? "");
      if (button.length > 0) text.maxLength = button.length;
      value = text;
    }
    if (value) {
      value.setAttribute("aria-label", button.label);
      value.disabled = pressed !== undefined;
      item.append(value);
    }
    const action = document.createElement("button");
    action.type = "button";
    action.className = "call-log-intent-button";
    action.setAttribute("aria-pressed", String(pressed !== undefined));
    action.textContent = pressed ? t("callLog.intentPressed", { label: button.label }) : button.label;
    action.title = pressed ? t("callLog.intentUndo") : button.field;
    action.addEventListener("click", () => {
      action.disabled = true;
      const done = pressed ? release(button.name) : press(button.name, value ? value.value : null);
      void done.finally(() => {
        action.disabled = false;
      });
    });
    item.append(action);
    group.append(item);
  }
  return group;
}

/** A record in a picker: its object in the agent's language, then its name (isolated). */
function recordChoice(record: { object: string; label: string }): string {
  return t("callLog.recordChoice", { object: objectName(record.object), name: record.label });
}

/** Key topics as typed: separated by commas (also the Japanese 、 and the Arabic ،) or `;`. */
/**
 * The memo, as the org's memo field takes it: one checkbox per value of a multi-select
 * picklist (a value the form held that the org no longer lists stays, ticked, so nothing is
 * lost and the agent can untick it), or typed values separated like key topics. `null` when
 * the org has no memo field.
 */
function renderMemo(memoInput: FormOptions["memo"], held: string[]): { element: HTMLElement; value: () => string[] } | null {
  if (memoInput.kind === "none") return null;
  if (memoInput.kind === "text") {
    const text = document.createElement("input");
    text.type = "text";
    text.className = "call-log-memo";
    text.dir = "auto";
    text.value = held.join(", ");
    text.placeholder = t("callLog.memoHint");
    return { element: field("callLog.memo", text, "call-log-memo"), value: () => splitTopics(text.value) };
  }
  const group = document.createElement("fieldset");
  group.className = "call-log-memo call-log-memo-field";
  const legend = document.createElement("legend");
  legend.className = "call-log-label";
  legend.textContent = t("callLog.memo");
  group.append(legend);
  const listed = memoInput.values;
  const values = [...listed, ...held.filter((value) => !listed.includes(value))];
  const boxes: HTMLInputElement[] = [];
  for (const value of values) {
    const label = document.createElement("label");
    label.className = "call-log-memo-option";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = value;
    box.checked = held.includes(value);
    if (!listed.includes(value)) label.dataset.unlisted = "true";
    const text = document.createElement("bdi");
    text.textContent = value;
    label.append(box, " ", text);
    group.append(label);
    boxes.push(box);
  }
  return { element: group, value: () => boxes.filter((box) => box.checked).map((box) => box.value) };
}

export function splitTopics(text: string): string[] {
  return text
    .split(/[,;、،\n]/u)
    .map((topic) => topic.trim())
    .filter((topic) => topic !== "");
}

/** Empty, or an http(s) link with no spaces. */
export function isWebLink(text: string): boolean {
  const value = text.trim();
  if (value === "") return true;
  return /^https?:\/\/\S+$/iu.test(value) && value.length > 8;
}

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}
