// The record panel's editor: the fields the admin lets agents see (from `show_record`), an
// input of the right kind for each editable one (picklist, date, checkbox, number, email,
// text with its maximum length) and plain text for the rest. Save sends only the fields the
// agent changed, with the LastModifiedDate the panel showed, so a record changed in
// Salesforce meanwhile comes back as a conflict: both values side by side, the agent picks.
// The policy itself is enforced in ringside-core; this only offers what it allows.
// While Salesforce is unreachable a save (or an intent) is queued durably by the backend:
// the panel says "pending — will be saved when Salesforce is reachable" and lists the
// record's queued edits, which the background sender turns into saved, a conflict (both
// values; save mine or keep theirs) or a failure in words (`record-edits-changed`).

import "./record-edit.css";
import type { IpcError } from "../../backend";
import type { IpcCode } from "../../ipc";
import type { ConflictField } from "../../bindings/ConflictField";
import type { FieldProblem } from "../../bindings/FieldProblem";
import { isolate, onLocaleChange, t, tCount, type MessageKey } from "../../i18n";
import { el } from "./record-details";
import {
  applyIntent,
  onRecordEditsChanged,
  queuedRecordEdits,
  resolveQueuedEdit,
  saveRecord,
  showRecord,
  type FieldChange,
  type IntentButton,
  type QueuedEdit,
  type ShownField,
  type ShownRecord,
} from "./record-backend";

type Status =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "saving" }
  | { kind: "saved" }
  | { kind: "queued" }
  | { kind: "intent"; intent: string; problem: string | null; queued?: boolean }
  | { kind: "refused" }
  | { kind: "conflict"; current: string | null; fields: ConflictField[]; choices: Map<string, "theirs" | "yours"> }
  | { kind: "failed"; error: IpcError };

export interface RecordEditor {
  /** The editor's element, to place in the panel. */
  readonly element: HTMLElement;
  /** Shows record `id` (reading it from Salesforce); `onLoaded` hears each successful read. */
  load(id: string): void;
}

const ERROR_CODES = new Set<IpcCode>([
  "salesforce_unreachable",
  "record_deleted",
  "record_not_found",
  "salesforce_rejected",
  "signed_out",
  "unsupported_record",
  "backend_unavailable",
  "queue_unavailable",
]);

export function createRecordEditor(onLoaded: (record: ShownRecord) => void = () => {}): RecordEditor {
  const form = el("form", "record-edit");
  form.id = "record-edit";
  form.noValidate = true;

  let recordId: string | null = null;
  let record: ShownRecord | null = null;
  let drafts = new Map<string, string>();
  let problems = new Map<string, string>();
  let status: Status = { kind: "idle" };
  // The record's queued edits still to show (pending, conflict, failed), oldest first.
  let queued: QueuedEdit[] = [];
  // Why: an answer for a record the agent has since left must not replace the one now shown.
  let generation = 0;

  const statusLine = el("div", "record-edit-status");
  statusLine.id = "record-edit-status";
  statusLine.setAttribute("role", "status");
  statusLine.setAttribute("aria-live", "polite");
  const saveButton = el("button", "record-save");
  saveButton.id = "record-save";
  saveButton.type = "submit";
  const revertButton = el("button", "record-revert");
  revertButton.id = "record-revert";
  revertButton.type = "button";

  const changes = (): FieldChange[] => {
    if (record === null) return [];
    const list: FieldChange[] = [];
    for (const field of record.fields) {
      const draft = drafts.get(field.name);
      if (field.editable && draft !== undefined && !sameValue(field, draft)) list.push({ field: field.name, value: draft });
    }
    return list;
  };

  const renderControls = (): void => {
    const pending = changes().length;
    const busy = status.kind === "saving" || status.kind === "loading";
    saveButton.textContent = t("recordEdit.save");
    revertButton.textContent = t("recordEdit.revert");
    saveButton.disabled = busy || pending === 0 || status.kind === "conflict";
    revertButton.disabled = busy || pending === 0;
    form.dataset["state"] = status.kind;
    form.setAttribute("aria-busy", String(busy));
    statusLine.dataset["state"] = status.kind;
    statusLine.replaceChildren(...statusContent(status, pending));
  };

  const render = (): void => {
    form.replaceChildren();
    if (record === null) {
      // The record could not be read (e.g. Salesforce unreachable): its queued edits still show.
      if (queued.length > 0) form.append(renderQueued());
      form.append(statusLine);
      renderControls();
      return;
    }
    const list = el("div", "record-edit-fields");
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", t("recordEdit.fields"));
    for (const field of record.fields) list.append(renderField(field));
    form.append(list);
    if (record.hidden.length > 0) {
      form.append(el("p", "record-hidden-fields", t("recordEdit.hiddenFields", { fields: record.hidden.join(", ") })));
    }
    if (record.intents.length > 0) form.append(renderIntents(record.intents));
    if (queued.length > 0) form.append(renderQueued());
    if (status.kind === "conflict") form.append(renderConflict(status));
    const actions = el("div", "record-edit-actions");
    actions.append(saveButton, revertButton);
    form.append(actions, statusLine);
    renderControls();
  };

  const renderField = (field: ShownField): HTMLElement => {
    const row = el("div", "record-field");
    row.dataset["field"] = field.name;
    row.dataset["type"] = field.type;
    row.dataset["editable"] = String(field.editable);
    const inputId = `record-field-${field.name}`;
    const label = el("label", "record-field-label", field.label);
    label.htmlFor = inputId;
    row.append(label);
    if (!field.editable) {
      const value = el("span", "record-field-value", displayValue(field));
      value.id = inputId;
      value.setAttribute("aria-readonly", "true");
      if (isLeftToRight(field.type)) value.dir = "ltr";
      row.append(value, el("span", "record-field-readonly", t("recordEdit.readOnly")));
      return row;
    }
    const current = drafts.get(field.name) ?? rawValue(field.value);
    const input = createInput(field, current, (raw) => {
      drafts.set(field.name, raw);
      problems.delete(field.name);
      row.querySelector(".record-field-problem")?.remove();
      if (["saved", "queued", "refused", "failed", "intent"].includes(status.kind)) status = { kind: "idle" };
      row.dataset["changed"] = String(!sameValue(field, raw));
      renderControls();
    });
    input.id = inputId;
    row.dataset["changed"] = String(!sameValue(field, current));
    row.append(input);
    if (field.length > 0 && isText(field.type)) {
      const hint = el("span", "record-field-hint", t("recordEdit.maxLength", { count: field.length }));
      hint.id = `${inputId}-hint`;
      input.setAttribute("aria-describedby", hint.id);
      row.append(hint);
    }
    const problem = problems.get(field.name);
    if (problem !== undefined) {
      const note = el("p", "record-field-problem", problem);
      // The reason is ringside-core's English sentence.
      note.lang = "en";
      note.dir = "ltr";
      input.setAttribute("aria-invalid", "true");
      row.append(note);
    }
    return row;
  };

  const renderIntents = (intents: IntentButton[]): HTMLElement => {
    const box = el("section", "record-intents");
    box.id = "record-intents";
    box.append(el("h3", "record-intents-title", t("recordEdit.intents")));
    for (const intent of intents) {
      const row = el("div", "intent");
      row.dataset["intent"] = intent.name;
      let input: HTMLInputElement | HTMLSelectElement | null = null;
      if (intent.kind === "choose") {
        const select = el("select", "intent-input");
        select.append(option("", t("recordEdit.intentChoose")), ...intent.values.map((v) => option(v, v)));
        input = select;
      } else if (intent.kind === "typed") {
        const text = el("input", "intent-input");
        text.type = "text";
        if (intent.length > 0) text.maxLength = intent.length;
        input = text;
      }
      const button = el("button", "intent-button", intentLabel(intent.name));
      button.type = "button";
      button.title = intent.label;
      if (input !== null) {
        input.setAttribute("aria-label", `${intentLabel(intent.name)}: ${intent.label}`);
        row.append(input);
      }
      button.addEventListener("click", () => pressIntent(intent.name, input?.value ?? null));
      row.prepend(button);
      box.append(row);
    }
    return box;
  };

  const pressIntent = (name: string, input: string | null): void => {
    if (recordId === null || status.kind === "saving") return;
    const id = recordId;
    const mine = ++generation;
    status = { kind: "saving" };
    renderControls();
    void applyIntent(id, name, input).then((outcome) => {
      if (mine !== generation) return;
      if (!outcome.ok) {
        status = { kind: "failed", error: outcome.error };
        render();
        return;
      }
      if (outcome.value.kind === "refused") {
        status = { kind: "intent", intent: name, problem: outcome.value.problems.map((p) => p.reason).join("; ") };
        render();
        return;
      }
      if (outcome.value.kind === "queued") {
        status = { kind: "intent", intent: name, problem: null, queued: true };
        refreshQueued(id);
        return;
      }
      // Written: read the record again so the field shows what the intent wrote. The agent's
      // unsaved edits of other fields stay.
      const kept = drafts;
      load(id, { kind: "intent", intent: name, problem: null }, kept);
    });
  };

  const renderConflict = (conflict: Extract<Status, { kind: "conflict" }>): HTMLElement => {
    const box = el("section", "record-conflict");
    box.id = "record-conflict";
    box.setAttribute("role", "alert");
    box.append(el("p", "record-conflict-text", t("recordEdit.conflict")));
    for (const item of conflict.fields) {
      const shown = record?.fields.find((f) => f.name === item.field);
      const row = el("fieldset", "conflict-field");
      row.dataset["field"] = item.field;
      row.append(el("legend", "conflict-label", shown?.label ?? item.field));
      const theirs = el("div", "conflict-theirs");
      theirs.append(el("span", "conflict-caption", t("recordEdit.conflictTheirs")), el("span", "conflict-value", showJson(item.theirs, shown)));
      const yours = el("div", "conflict-yours");
      yours.append(el("span", "conflict-caption", t("recordEdit.conflictYours")), el("span", "conflict-value", showJson(item.yours, shown)));
      row.append(theirs, yours);
      for (const side of ["theirs", "yours"] as const) {
        const choice = el("label", `conflict-choice conflict-choice-${side}`);
        const radio = el("input", "");
        radio.type = "radio";
        radio.name = `conflict-${item.field}`;
        radio.value = side;
        radio.checked = conflict.choices.get(item.field) === side;
        radio.addEventListener("change", () => conflict.choices.set(item.field, side));
        choice.append(radio, document.createTextNode(t(side === "theirs" ? "recordEdit.keepTheirs" : "recordEdit.keepYours")));
        row.append(choice);
      }
      box.append(row);
    }
    const apply = el("button", "record-conflict-apply", t("recordEdit.applyChoices"));
    apply.id = "record-conflict-apply";
    apply.type = "button";
    apply.addEventListener("click", () => applyChoices(conflict));
    box.append(apply);
    return box;
  };

  const load = (id: string, after: Status = { kind: "idle" }, keep: Map<string, string> = new Map()): void => {
    const mine = ++generation;
    recordId = id;
    if (record?.id !== id) {
      record = null;
      drafts = new Map();
      queued = [];
    }
    problems = new Map();
    status = { kind: "loading" };
    render();
    void showRecord(id).then((outcome) => {
      if (mine !== generation) return;
      if (!outcome.ok) {
        status = { kind: "failed", error: outcome.error };
        render();
        refreshQueued(id);
        return;
      }
      record = outcome.value;
      drafts = keep;
      status = after;
      render();
      onLoaded(outcome.value);
      refreshQueued(id);
    });
  };

  /** Re-reads record `id`'s queued edits; one that left "pending" was sent, so the record is read again. */
  const refreshQueued = (id: string): void => {
    void queuedRecordEdits(id).then((outcome) => {
      if (recordId !== id) return;
      // No queue command (or no queue) means nothing queued.
      const next = outcome.ok && Array.isArray(outcome.value) ? outcome.value : [];
      // Unchanged: no re-render, so an agent typing in a field keeps the focus.
      if (JSON.stringify(next) === JSON.stringify(queued)) return;
      const pendingBefore = queued.filter((e) => e.state === "pending").map((e) => e.id);
      const stillPending = new Set(next.filter((e) => e.state === "pending").map((e) => e.id));
      const sent = pendingBefore.some((editId) => !stillPending.has(editId));
      queued = next;
      if (sent && status.kind !== "saving" && status.kind !== "loading") {
        const after: Status = next.some((e) => e.state !== "pending") ? { kind: "idle" } : { kind: "saved" };
        load(id, after, drafts);
        return;
      }
      render();
    });
  };

  const renderQueued = (): HTMLElement => {
    const box = el("section", "record-pending");
    box.id = "record-pending";
    box.setAttribute("aria-live", "polite");
    box.append(el("h3", "record-pending-title", t("recordEdit.pendingTitle")));
    const list = el("ul", "record-pending-list");
    for (const edit of queued) {
      const item = el("li", "pending-edit");
      item.dataset["state"] = edit.state;
      item.dataset["edit"] = String(edit.id);
      const what =
        edit.intent !== null
          ? intentLabel(edit.intent)
          : edit.changes
              .map((c) => `${isolate(record?.fields.find((f) => f.name === c.field)?.label ?? c.field)}: ${c.value === "" ? t("recordEdit.empty") : isolate(c.value)}`)
              .join(", ");
      const whatNode = el("span", "pending-what", what);
      if (edit.state === "pending") {
        item.append(el("span", "pending-state", t("recordEdit.pending")), whatNode);
      } else if (edit.state === "conflict") {
        item.append(el("span", "pending-state", t("recordEdit.pendingConflict")), whatNode);
        for (const f of edit.conflict?.fields ?? []) {
          const shown = record?.fields.find((x) => x.name === f.field);
          item.append(
            el(
              "span",
              "pending-values",
              `${isolate(shown?.label ?? f.field)} — ${t("recordEdit.conflictTheirs")}: ${isolate(showJson(f.theirs, shown))} · ${t("recordEdit.conflictYours")}: ${isolate(showJson(f.yours, shown))}`,
            ),
          );
        }
        if (edit.intent === null) {
          const mine = el("button", "pending-keep-mine", t("recordEdit.keepMine"));
          mine.type = "button";
          mine.addEventListener("click", () => keepMine(edit));
          item.append(mine);
        }
        item.append(resolveButton(edit, t("recordEdit.keepTheirs")));
      } else {
        const reason = el("span", "pending-reason", edit.error ?? "");
        reason.lang = "en";
        reason.dir = "ltr";
        item.append(el("span", "pending-state", t("recordEdit.pendingFailed")), whatNode, reason, resolveButton(edit, t("recordEdit.dismiss")));
      }
      list.append(item);
    }
    box.append(list);
    return box;
  };

  const resolveButton = (edit: QueuedEdit, label: string): HTMLButtonElement => {
    const button = el("button", "pending-resolve", label);
    button.type = "button";
    button.addEventListener("click", () => {
      const id = recordId;
      void resolveQueuedEdit(edit.id).then(() => {
        if (id !== null) load(id, { kind: "idle" }, drafts);
      });
    });
    return button;
  };

  /** A queued edit in conflict, saved anyway over the version Salesforce has now. */
  const keepMine = (edit: QueuedEdit): void => {
    if (recordId === null) return;
    const id = recordId;
    const mine = ++generation;
    status = { kind: "saving" };
    renderControls();
    void saveRecord(id, edit.changes, edit.conflict?.current ?? null).then((outcome) => {
      if (mine !== generation) return;
      if (!outcome.ok) {
        status = { kind: "failed", error: outcome.error };
        render();
        return;
      }
      if (outcome.value.kind === "saved" || outcome.value.kind === "queued") {
        const after: Status = outcome.value.kind === "saved" ? { kind: "saved" } : { kind: "queued" };
        void resolveQueuedEdit(edit.id).then(() => load(id, after, drafts));
        return;
      }
      // Changed again, or refused: show what came back through the usual paths.
      status = outcome.value.kind === "refused" ? { kind: "refused" } : { kind: "idle" };
      refreshQueued(id);
    });
  };

  const save = (expected: string | null): void => {
    if (record === null || recordId === null) return;
    const id = recordId;
    const list = changes();
    if (list.length === 0) return;
    const mine = ++generation;
    status = { kind: "saving" };
    renderControls();
    void saveRecord(id, list, expected).then((outcome) => {
      if (mine !== generation) return;
      if (!outcome.ok) {
        // Nothing was written; the drafts stay so the agent can try again.
        status = { kind: "failed", error: outcome.error };
        render();
        return;
      }
      const answer = outcome.value;
      switch (answer.kind) {
        case "saved":
          load(id, { kind: "saved" });
          return;
        case "refused":
          problems = new Map(answer.problems.map((p: FieldProblem) => [p.field, p.reason]));
          status = { kind: "refused" };
          render();
          return;
        case "queued":
          // Kept durably by the backend: show the agent's values as the record's for now.
          for (const change of list) {
            const field = record?.fields.find((f) => f.name === change.field);
            if (field) field.value = change.value;
          }
          drafts = new Map();
          status = { kind: "queued" };
          refreshQueued(id);
          return;
        case "conflict":
          status = {
            kind: "conflict",
            current: answer.current,
            fields: answer.fields,
            choices: new Map(answer.fields.map((f) => [f.field, "yours"])),
          };
          render();
          return;
      }
    });
  };

  const applyChoices = (conflict: Extract<Status, { kind: "conflict" }>): void => {
    if (record === null || recordId === null) return;
    for (const item of conflict.fields) {
      if (conflict.choices.get(item.field) !== "theirs") continue;
      // Taking theirs: drop the draft and show Salesforce's value as the field's value.
      drafts.delete(item.field);
      const field = record.fields.find((f) => f.name === item.field);
      if (field) field.value = item.theirs;
    }
    record.last_modified = conflict.current;
    if (changes().length === 0) {
      load(recordId);
      return;
    }
    status = { kind: "idle" };
    render();
    save(conflict.current);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(record?.last_modified ?? null);
  });
  revertButton.addEventListener("click", () => {
    drafts = new Map();
    problems = new Map();
    status = { kind: "idle" };
    render();
  });
  onLocaleChange(render);
  void onRecordEditsChanged(() => {
    if (recordId !== null) refreshQueued(recordId);
  });
  render();
  return { element: form, load: (id) => load(id) };
}

function statusContent(status: Status, pending: number): Node[] {
  switch (status.kind) {
    case "idle":
      return pending === 0 ? [] : [el("p", "record-edit-text", tCount("recordEdit.changed", pending))];
    case "loading":
      return [el("p", "record-edit-text", t("recordEdit.loading"))];
    case "saving":
      return [el("p", "record-edit-text", t("recordEdit.saving"))];
    case "saved":
      return [el("p", "record-edit-text record-edit-saved", t("recordEdit.saved"))];
    case "queued":
      return [el("p", "record-edit-text record-edit-queued", t("recordEdit.queued"))];
    case "refused":
      return [el("p", "record-edit-text record-edit-error", t("recordEdit.refused"))];
    case "intent": {
      const label = intentLabel(status.intent);
      if (status.queued === true) return [el("p", "record-edit-text record-edit-queued", t("recordEdit.intentQueued", { intent: label }))];
      if (status.problem === null) return [el("p", "record-edit-text record-edit-saved", t("recordEdit.intentApplied", { intent: label }))];
      const reason = el("p", "record-edit-detail", status.problem);
      reason.lang = "en";
      reason.dir = "ltr";
      return [el("p", "record-edit-text record-edit-error", t("recordEdit.intentRefused", { intent: label })), reason];
    }
    case "conflict":
      return [];
    case "failed": {
      const code = status.error.code;
      const key = (ERROR_CODES.has(code) ? `recordEdit.error.${code}` : "recordEdit.error.unknown") as MessageKey;
      const message = el("p", "record-edit-text record-edit-error", t(key));
      message.id = "record-edit-error";
      message.dataset["code"] = code;
      const detail = el("p", "record-edit-detail", status.error.message);
      detail.lang = "en";
      detail.dir = "ltr";
      // A validation rule's message is the admin's own words: show it, not behind a toggle.
      if (code === "salesforce_rejected") return [message, detail];
      const details = el("details", "error-details");
      details.append(el("summary", "", t("error.details")), detail);
      return [message, details];
    }
  }
}

/** The editable input for `field`, set to `raw`; `changed` hears each new raw value. */
function createInput(field: ShownField, raw: string, changed: (raw: string) => void): HTMLElement {
  switch (field.type) {
    case "picklist": {
      const select = el("select", "record-input");
      const options = field.picklist.includes(raw) || raw === "" ? field.picklist : [raw, ...field.picklist];
      select.append(option("", t("recordEdit.none")), ...options.map((value) => option(value, value)));
      select.value = raw;
      select.addEventListener("change", () => changed(select.value));
      return select;
    }
    case "multipicklist": {
      const select = el("select", "record-input");
      select.multiple = true;
      const chosen = new Set(raw.split(";").filter((v) => v !== ""));
      for (const value of field.picklist) {
        const item = option(value, value);
        item.selected = chosen.has(value);
        select.append(item);
      }
      select.addEventListener("change", () =>
        changed([...select.selectedOptions].map((o) => o.value).join(";")),
      );
      return select;
    }
    case "boolean": {
      const box = el("input", "record-input");
      box.type = "checkbox";
      box.checked = raw === "true";
      box.addEventListener("change", () => changed(String(box.checked)));
      return box;
    }
    case "textarea": {
      const area = el("textarea", "record-input");
      area.value = raw;
      area.rows = 3;
      if (field.length > 0) area.maxLength = field.length;
      area.addEventListener("input", () => changed(area.value));
      return area;
    }
    case "datetime": {
      const input = el("input", "record-input");
      input.type = "datetime-local";
      input.value = toLocalInput(raw);
      input.addEventListener("input", () => changed(fromLocalInput(input.value)));
      return input;
    }
    default: {
      const input = el("input", "record-input");
      input.type = inputType(field.type);
      if (field.type === "int" || field.type === "long") input.step = "1";
      if (["double", "currency", "percent"].includes(field.type)) input.step = "any";
      if (field.length > 0 && isText(field.type)) input.maxLength = field.length;
      if (isLeftToRight(field.type)) input.dir = "ltr";
      input.value = raw;
      input.addEventListener("input", () => changed(input.value));
      return input;
    }
  }
}

function inputType(type: string): string {
  switch (type) {
    case "date":
      return "date";
    case "email":
      return "email";
    case "phone":
      return "tel";
    case "url":
      return "url";
    case "int":
    case "long":
    case "double":
    case "currency":
    case "percent":
      return "number";
    default:
      return "text";
  }
}

function isText(type: string): boolean {
  return ["string", "textarea", "email", "phone", "url", "combobox", "encryptedstring"].includes(type);
}

function isLeftToRight(type: string): boolean {
  return ["email", "phone", "url", "reference", "id"].includes(type);
}

function option(value: string, label: string): HTMLOptionElement {
  const item = el("option", "", label);
  item.value = value;
  return item;
}

/** A field value as the text an input holds ("" for none). */
function rawValue(value: string | number | boolean | null): string {
  if (value === null) return "";
  return String(value);
}

function displayValue(field: ShownField): string {
  return showJson(field.value, field);
}

function showJson(value: string | number | boolean | null, field: ShownField | undefined): string {
  if (value === null || value === "") return t("recordEdit.empty");
  if (typeof value === "boolean" || field?.type === "boolean") {
    return value === true || value === "true" ? t("recordEdit.yes") : t("recordEdit.no");
  }
  return String(value);
}

/** Whether `draft` is the value the field already has (datetimes compare as instants). */
function sameValue(field: ShownField, draft: string): boolean {
  const original = rawValue(field.value);
  if (field.type === "datetime" && original !== "" && draft !== "") {
    return parseSalesforceTime(original) === parseSalesforceTime(draft);
  }
  if (["int", "long", "double", "currency", "percent"].includes(field.type) && original !== "" && draft !== "") {
    return Number(original) === Number(draft);
  }
  return original === draft;
}

/** Salesforce writes `+0000`; Date wants `+00:00`. */
function parseSalesforceTime(text: string): number {
  return Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
}

/** A Salesforce date-time as a `datetime-local` value in the agent's time zone. */
function toLocalInput(raw: string): string {
  if (raw === "") return "";
  const time = parseSalesforceTime(raw);
  if (Number.isNaN(time)) return "";
  const d = new Date(time);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (the agent's time zone) as the UTC date-time Salesforce takes. */
function fromLocalInput(value: string): string {
  if (value === "") return "";
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/** `demo_requested` → "Demo requested": the admin's intent name in words. */
export function intentLabel(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
