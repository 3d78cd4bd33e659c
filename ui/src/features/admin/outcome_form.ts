// The Admin tab's structured editor of one outcome's actions (issue 17 item 1): one block per
// action kind with typed inputs (fields offered from the live describe, a picklist's values as
// a select), each block addable and removable. It edits an `OutcomeForm` (the ts-rs mirror of
// ringside-core's outcome config) in place; the view sends it as it is to `save_outcome_form`,
// where ringside-core turns it into the `[outcomes."…"]` table and checks it. A save's issues
// are shown next to the input they concern (matched by the action in the issue's key and the
// field or key named last in its `field`), the others under the block.

import { t, type MessageKey } from "../../i18n";
import type { ConfigIssue, FieldChoice, OutcomeFieldValue, OutcomeForm } from "./backend";
import { el, option } from "./dom";

/** The actions in the order they are applied, with the object whose fields they write. */
export const ACTIONS = ["lead", "opportunity", "follow_up", "create_opportunity", "lead_notes", "chatter"] as const;
export type ActionKey = (typeof ACTIONS)[number];

export interface FormContext {
  /** The disposition, as the issues' keys name it. */
  name: string;
  /** Edited in place. */
  form: OutcomeForm;
  /** Prefix of every input's focus key, unique per outcome. */
  scope: string;
  /** Locked by the policy: shown, not editable. */
  locked: boolean;
  /** The last save's issues for this outcome. */
  issues: readonly ConfigIssue[];
  /** An object's fields from the describe; null while loading or when it failed (free text then). */
  fields(object: "Lead" | "Opportunity"): FieldChoice[] | null;
  /** Focus keys of number inputs holding something that is not a whole number. */
  badNumbers: Set<string>;
  /** A change of the form's shape (a block or row added or removed, a field picked): re-render. */
  changed(): void;
}

/** How ringside-core names an action of an outcome in an issue's key. */
export function issueKey(name: string, action: string): string {
  return `[outcomes.${JSON.stringify(name)}] ${action}`;
}

/** An empty block of `action`. */
function fresh(action: ActionKey): Partial<OutcomeForm> {
  switch (action) {
    case "lead":
      return { lead: [{ field: "", value: "" }] };
    case "opportunity":
      return { opportunity: [{ field: "", value: "" }] };
    case "follow_up":
      return { follow_up: { kind: "Task", subject: "", in_days: 1, at: null, minutes: null } };
    case "create_opportunity":
      return { create_opportunity: { name: "{account} – {date}", stage_name: "", close_in_days: 30, fields: [] } };
    case "lead_notes":
      return { lead_notes: "" };
    case "chatter":
      return { chatter: "" };
  }
}

/** An empty form (a new outcome). */
export function emptyForm(): OutcomeForm {
  return { lead: null, opportunity: null, follow_up: null, create_opportunity: null, lead_notes: null, chatter: null };
}

/**
 * The editor of one outcome. Returns the node and the issues it placed next to an input or
 * block, so the caller lists only the others.
 */
export function outcomeFormEditor(ctx: FormContext): { node: HTMLElement; placed: Set<ConfigIssue> } {
  const placed = new Set<ConfigIssue>();
  const box = el("fieldset", "admin-outcome-form");
  box.disabled = ctx.locked;
  box.append(el("legend", "admin-outcome-form-title", t("admin.outcomes.form")));
  const { form } = ctx;

  /** The issues of `action` whose field names `slot` (last part after a dot), marked placed. */
  const issuesAt = (action: ActionKey, slot: string | null): HTMLElement[] => {
    const key = issueKey(ctx.name, action);
    const mine = ctx.issues.filter((issue) => issue.key === key && !placed.has(issue) && (slot === null || lastPart(issue.field) === slot));
    return mine.map((issue) => {
      placed.add(issue);
      const note = el("p", "admin-field-issue", issue.reason);
      note.dataset["field"] = issue.field;
      note.lang = "en";
      note.dir = "ltr";
      note.setAttribute("role", "alert");
      return note;
    });
  };
  /** A labelled control with its issues under it; the control gets an id for its label. */
  const field = (action: ActionKey, slot: string, label: string, control: HTMLElement, extra?: HTMLElement, key: string = slot): HTMLElement => {
    const wrap = el("div", "admin-form-field");
    wrap.dataset["slot"] = slot;
    const id = `${ctx.scope}:${action}:${key}`;
    control.id = `admin-of-${hash(id)}`;
    control.dataset["focusKey"] = id;
    const caption = el("label", "admin-form-label", label);
    caption.htmlFor = control.id;
    wrap.append(caption, control);
    if (extra !== undefined) wrap.append(extra);
    const notes = issuesAt(action, slot);
    if (notes.length > 0) {
      control.setAttribute("aria-invalid", "true");
      wrap.append(...notes);
    }
    return wrap;
  };
  const numberInput = (action: ActionKey, slot: string, value: number | null, set: (n: number | null) => void, min: number): HTMLInputElement => {
    const input = el("input", "admin-form-number");
    input.type = "number";
    input.step = "1";
    input.min = String(min);
    input.inputMode = "numeric";
    input.value = value === null ? "" : String(value);
    const key = `${ctx.scope}:${action}:${slot}`;
    input.addEventListener("input", () => {
      const text = input.value.trim();
      // A number the admin is still typing stays as typed; the save refuses it in words.
      if (text === "" && input.validity.badInput) ctx.badNumbers.add(key);
      else if (text === "") {
        ctx.badNumbers.delete(key);
        set(null);
      } else if (/^-?\d+$/.test(text)) {
        ctx.badNumbers.delete(key);
        set(Number(text));
      } else ctx.badNumbers.add(key);
    });
    return input;
  };
  const wholeNumberNote = (action: ActionKey, slot: string): HTMLElement | undefined => {
    if (!ctx.badNumbers.has(`${ctx.scope}:${action}:${slot}`)) return undefined;
    const note = el("p", "admin-field-issue", t("admin.outcomes.wholeNumber"));
    note.setAttribute("role", "alert");
    return note;
  };
  const text = (value: string, set: (v: string) => void, placeholder?: string): HTMLInputElement => {
    const input = el("input", "admin-form-text");
    input.value = value;
    input.dir = "auto";
    if (placeholder !== undefined) input.placeholder = placeholder;
    input.addEventListener("input", () => set(input.value));
    return input;
  };
  /** A field picker from the describe (kept: a value not in it), or free text without one. */
  const fieldPicker = (fields: FieldChoice[] | null, value: string, set: (v: string) => void, rerender: boolean): HTMLSelectElement | HTMLInputElement => {
    if (fields === null) return text(value, set);
    const select = el("select", "admin-form-field-pick");
    select.append(option("", t("admin.intents.chooseField")));
    for (const f of fields) select.append(option(f.name, `${f.label} (${f.name})`));
    if (value !== "" && !fields.some((f) => f.name === value)) select.append(option(value, value));
    select.value = value;
    select.addEventListener("change", () => {
      set(select.value);
      if (rerender) ctx.changed();
    });
    return select;
  };
  /** A value input: the picklist's values when the field is one (kept: a value not in it). */
  const valuePicker = (chosen: FieldChoice | undefined, value: string, set: (v: string) => void): HTMLSelectElement | HTMLInputElement => {
    if (chosen !== undefined && (chosen.type === "picklist" || chosen.type === "multipicklist") && chosen.picklist.length > 0) {
      const select = el("select", "admin-form-value");
      select.append(option("", t("admin.outcomes.chooseValue")));
      for (const v of chosen.picklist) select.append(option(v, v));
      if (value !== "" && !chosen.picklist.includes(value)) select.append(option(value, value));
      select.value = value;
      select.addEventListener("change", () => set(select.value));
      return select;
    }
    const input = text(value, set, t("admin.outcomes.valuePlaceholder"));
    input.className = "admin-form-value";
    if (chosen !== undefined && chosen.length > 0) input.maxLength = chosen.length;
    return input;
  };
  /** Field → value rows of `object` (a row per field; its issues next to it). */
  const rows = (action: ActionKey, object: "Lead" | "Opportunity", list: OutcomeFieldValue[]): HTMLElement => {
    const wrap = el("div", "admin-form-rows");
    const described = ctx.fields(object);
    const writable = described === null ? null : described.filter((f) => f.updateable);
    list.forEach((row, index) => {
      const line = el("div", "admin-form-row");
      line.dataset["field"] = row.field;
      const pick = fieldPicker(writable, row.field, (v) => (row.field = v), true);
      const chosen = described?.find((f) => f.name === row.field);
      const value = valuePicker(chosen, row.value, (v) => (row.value = v));
      const remove = el("button", "admin-form-row-remove", t("admin.outcomes.removeRow"));
      remove.type = "button";
      remove.dataset["focusKey"] = `${ctx.scope}:${action}:remove:${index}`;
      remove.setAttribute("aria-label", t("admin.outcomes.removeRowOf", { field: row.field === "" ? "—" : row.field }));
      remove.addEventListener("click", () => {
        list.splice(index, 1);
        ctx.changed();
      });
      // A row's issues sit under its field (the field's name is their slot); focus keys go by
      // the row's place, so picking a field keeps the focus where it was.
      line.append(
        field(action, row.field, t("admin.intents.field"), pick, undefined, `row${index}`),
        field(action, "\u0000", t("admin.intents.value"), value, undefined, `row${index}=`),
        remove,
      );
      wrap.append(line);
    });
    const add = el("button", "admin-form-row-add", t("admin.outcomes.addRow"));
    add.type = "button";
    add.dataset["focusKey"] = `${ctx.scope}:${action}:add-row`;
    add.addEventListener("click", () => {
      list.push({ field: "", value: "" });
      ctx.changed();
    });
    wrap.append(add);
    return wrap;
  };

  const block = (action: ActionKey, body: HTMLElement[]): HTMLElement => {
    const section = el("fieldset", "admin-action");
    section.dataset["action"] = action;
    section.append(el("legend", "admin-action-title", t(`admin.outcomes.action.${action}` as MessageKey)));
    const remove = el("button", "admin-action-remove", t("admin.outcomes.removeAction"));
    remove.type = "button";
    remove.dataset["focusKey"] = `${ctx.scope}:${action}:remove`;
    remove.setAttribute("aria-label", t("admin.outcomes.removeActionOf", { action: t(`admin.outcomes.action.${action}` as MessageKey) }));
    remove.addEventListener("click", () => {
      form[action] = null;
      ctx.changed();
      // The block is gone: the keyboard goes on from the action picker.
      focusFirst(`${ctx.scope}:action-pick`);
    });
    section.append(...body);
    // What is left: issues of the action no input took (e.g. a field's access, the scope).
    const rest = issuesAt(action, null);
    if (rest.length > 0) section.append(...rest);
    section.append(remove);
    return section;
  };

  if (form.lead !== null) box.append(block("lead", [rows("lead", "Lead", form.lead)]));
  if (form.opportunity !== null) box.append(block("opportunity", [rows("opportunity", "Opportunity", form.opportunity)]));
  const followUp = form.follow_up;
  if (followUp !== null) {
    const kind = el("select", "admin-form-kind");
    kind.append(option("Task", t("admin.outcomes.kindTask")), option("Event", t("admin.outcomes.kindEvent")));
    if (followUp.kind !== "Task" && followUp.kind !== "Event") kind.append(option(followUp.kind, followUp.kind));
    kind.value = followUp.kind;
    kind.addEventListener("change", () => {
      followUp.kind = kind.value;
      // A Task has a due date only; an Event needs its time and length.
      if (kind.value === "Task") {
        followUp.at = null;
        followUp.minutes = null;
      } else {
        followUp.at ??= "10:00";
        followUp.minutes ??= 30;
      }
      ctx.changed();
    });
    const body = [
      field("follow_up", "kind", t("admin.outcomes.kind"), kind),
      field("follow_up", "subject", t("admin.outcomes.subject"), text(followUp.subject, (v) => (followUp.subject = v))),
      field(
        "follow_up",
        "in_days",
        t("admin.outcomes.inDays"),
        numberInput("follow_up", "in_days", followUp.in_days, (n) => (followUp.in_days = n), 0),
        wholeNumberNote("follow_up", "in_days"),
      ),
    ];
    if (followUp.kind !== "Task") {
      const at = el("input", "admin-form-time");
      at.type = "time";
      at.value = followUp.at ?? "";
      at.addEventListener("input", () => (followUp.at = at.value === "" ? null : at.value));
      body.push(
        field("follow_up", "at", t("admin.outcomes.at"), at),
        field(
          "follow_up",
          "minutes",
          t("admin.outcomes.minutes"),
          numberInput("follow_up", "minutes", followUp.minutes, (n) => (followUp.minutes = n), 1),
          wholeNumberNote("follow_up", "minutes"),
        ),
      );
    }
    box.append(block("follow_up", body));
  }
  const create = form.create_opportunity;
  if (create !== null) {
    const described = ctx.fields("Opportunity");
    const stage = described?.find((f) => f.name === "StageName");
    const body = [
      field("create_opportunity", "name", t("admin.outcomes.opportunityName"), text(create.name, (v) => (create.name = v))),
      field("create_opportunity", "StageName", t("admin.outcomes.stage"), valuePicker(stage, create.stage_name, (v) => (create.stage_name = v))),
      field(
        "create_opportunity",
        "close_in_days",
        t("admin.outcomes.closeInDays"),
        numberInput("create_opportunity", "close_in_days", create.close_in_days, (n) => (create.close_in_days = n), 0),
        wholeNumberNote("create_opportunity", "close_in_days"),
      ),
    ];
    if (create.fields.length > 0 || described !== null) body.push(el("p", "admin-hint", t("admin.outcomes.otherFields")), rows("create_opportunity", "Opportunity", create.fields));
    box.append(block("create_opportunity", body));
  }
  if (form.lead_notes !== null) {
    const described = ctx.fields("Lead");
    const textFields = described === null ? null : described.filter((f) => f.updateable && (f.type === "string" || f.type === "textarea"));
    const pick = fieldPicker(textFields, form.lead_notes, (v) => (form.lead_notes = v), false);
    box.append(block("lead_notes", [field("lead_notes", "lead_notes", t("admin.outcomes.notesField"), pick), el("p", "admin-hint", t("admin.outcomes.notesHint"))]));
  }
  if (form.chatter !== null) {
    const post = el("textarea", "admin-form-chatter");
    post.rows = 2;
    post.dir = "auto";
    post.value = form.chatter;
    post.addEventListener("input", () => (form.chatter = post.value));
    const note = el("p", "admin-hint admin-chatter-scope", t("admin.outcomes.chatterScope"));
    box.append(block("chatter", [field("chatter", "chatter", t("admin.outcomes.post"), post), note]));
  }

  // Add an action this outcome does not have yet.
  const missing = ACTIONS.filter((action) => form[action] === null);
  if (!ctx.locked && missing.length > 0) {
    const adder = el("div", "admin-action-add");
    const pick = el("select", "admin-action-pick");
    for (const action of missing) pick.append(option(action, t(`admin.outcomes.action.${action}` as MessageKey)));
    const add = el("button", "admin-action-add-button", t("admin.outcomes.addAction"));
    add.type = "button";
    add.dataset["focusKey"] = `${ctx.scope}:add-action`;
    add.addEventListener("click", () => {
      const action = pick.value as ActionKey;
      Object.assign(form, fresh(action));
      ctx.changed();
      // The keyboard goes on in the new block, at its first input.
      focusFirst(`${ctx.scope}:${action}:`);
    });
    pick.dataset["focusKey"] = `${ctx.scope}:action-pick`;
    const caption = el("label", "admin-inline");
    caption.append(el("span", "", t("admin.outcomes.actionKind")), pick);
    adder.append(caption, add);
    box.append(adder);
  }
  return { node: box, placed };
}

/** Focuses the first control (re-rendered by now) whose focus key starts with `prefix`. */
function focusFirst(prefix: string): void {
  document.querySelector<HTMLElement>(`[data-focus-key^="${CSS.escape(prefix)}"]`)?.focus();
}

function lastPart(field: string): string {
  const dot = field.lastIndexOf(".");
  return dot < 0 ? field : field.slice(dot + 1);
}

/** A short stable id for an input from its focus key (names may hold any character). */
function hash(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
