// The admin view: which fields agents see and may edit per object (picked from the live
// describe, with type hints and a search box that keeps 200+ custom fields usable), the intent
// buttons (field and a type-aware value), the logging mode and scope profile; "Check and save"
// validates against the org and writes ringside.toml only when valid, listing each problem
// with its key, field and reason. Import / export of the file, and a "Check connection" panel
// running doctor. "Outcome actions" lists each configured outcome with its actions and edits
// one outcome at a time in a form (outcome_form.ts; its TOML behind "Edit as TOML"; issue 17),
// saved through the same check. With a system policy file, each value says where it comes from (default,
// policy file, this desk's file) and a value the policy locks is read-only here; the save path
// in ringside-core refuses a locked change too. The rules live in ringside-core (config_edit,
// config_check, config_policy, doctor).

import "./admin.css";
import { onLocaleChange, t, type MessageKey } from "../../i18n";
import type { View } from "../../shell/view";
import {
  adminSettings,
  describeFields,
  exportConfig,
  importConfig,
  runDoctor,
  saveAdminSettings,
  saveOutcome,
  saveOutcomeForm,
  type AdminSettings,
  type ConfigIssue,
  type Check,
  type ConfigSave,
  type FieldChoice,
  type IntentSetting,
  type IpcError,
  type KeySource,
  type OutcomeForm,
  type OutcomeSetting,
} from "./backend";
import { el, option } from "./dom";
import { emptyForm, outcomeFormEditor } from "./outcome_form";

const OBJECTS = ["Contact", "Lead", "Account"] as const;
/** Objects an intent may write: the record panel's, Opportunity, and the call's Task. */
const INTENT_OBJECTS = ["Contact", "Lead", "Account", "Opportunity", "Task"] as const;
const ERROR_CODES = new Set(["salesforce_unreachable", "signed_out"]);

type Status =
  | { kind: "idle" }
  | { kind: "busy" }
  | { kind: "saved"; path: string; imported: boolean }
  | { kind: "invalid"; save: Extract<ConfigSave, { kind: "invalid" }> }
  | { kind: "failed"; error: IpcError };

export const adminView: View = {
  id: "admin",
  label: "admin.nav",
  mount(section) {
    mountAdmin(section);
  },
  onShow() {
    reload?.();
  },
};

let reload: (() => void) | null = null;

function mountAdmin(root: HTMLElement): void {
  let settings: AdminSettings | null = null;
  let path = "";
  let problem: string | null = null;
  let policyPath: string | null = null;
  let sources: KeySource[] = [];
  let outcomes: OutcomeSetting[] = [];
  // What the admin typed per outcome ("" key: the new one), kept across re-renders until saved.
  const outcomeDrafts = new Map<string, string>();
  // The form per outcome ("" key: the new one), edited in place until saved.
  const formDrafts = new Map<string, OutcomeForm>();
  // Number inputs of the forms holding something that is not a whole number (their focus keys).
  const badNumbers = new Set<string>();
  // Outcomes whose "Edit as TOML" is open, kept across re-renders.
  const tomlOpen = new Set<string>();
  let newOutcomeName = "";
  // The last outcome save's answer, shown under the outcome it was for.
  let outcomeStatus: { name: string; status: Status } | null = null;
  let object: (typeof OBJECTS)[number] = "Contact";
  let search = "";
  let status: Status = { kind: "idle" };
  let checks: Check[] | null = null;
  let doctorBusy = false;
  const describes = new Map<string, FieldChoice[] | IpcError>();

  const container = el("div", "admin");
  container.id = "admin";
  root.append(container);

  // Fields: built once so the search box keeps focus while rows are filtered.
  const fieldsSection = el("section", "admin-section");
  const fieldsTitle = el("h2", "admin-title");
  const objectLabel = el("label", "admin-inline");
  const objectSelect = el("select", "");
  objectSelect.id = "admin-object";
  for (const name of OBJECTS) objectSelect.append(option(name, name));
  const searchLabel = el("label", "admin-inline");
  const searchInput = el("input", "");
  searchInput.id = "admin-field-search";
  searchInput.type = "search";
  const fieldCount = el("p", "admin-hint");
  fieldCount.id = "admin-field-count";
  const fieldTable = el("table", "admin-fields");
  fieldTable.id = "admin-fields";
  const fieldHead = el("thead", "");
  const fieldBody = el("tbody", "");
  fieldTable.append(fieldHead, fieldBody);
  objectLabel.append(el("span", ""), objectSelect);
  searchLabel.append(el("span", ""), searchInput);
  fieldsSection.append(fieldsTitle, objectLabel, searchLabel, fieldCount, fieldTable);

  const intentsSection = el("section", "admin-section");
  intentsSection.id = "admin-intents";
  const loggingSection = el("section", "admin-section");
  const actions = el("section", "admin-section admin-actions");
  const statusBox = el("div", "admin-status");
  statusBox.id = "admin-status";
  statusBox.setAttribute("role", "status");
  const fileSection = el("section", "admin-section");
  const doctorSection = el("section", "admin-section");
  doctorSection.id = "admin-doctor-section";
  const outcomesSection = el("section", "admin-section");
  outcomesSection.id = "admin-outcomes";
  const problemBox = el("p", "admin-problem");
  problemBox.id = "admin-file-problem";
  container.append(problemBox, fieldsSection, intentsSection, loggingSection, actions, statusBox, outcomesSection, fileSection, doctorSection);

  const objectSettings = () => settings?.objects.find((o) => o.object === object) ?? null;
  /** The policy's `locked` entry covering `key`, if any. */
  const lockOf = (key: string): string | null => sources.find((s) => s.key === key)?.locked ?? null;
  /** "default", "policy" or "user" for `key` (default when the backend did not say). */
  const sourceOf = (key: string): KeySource["source"] => sources.find((s) => s.key === key)?.source ?? "default";
  /** Where a value comes from, and the read-only note when the policy locks it. */
  const provenance = (key: string, id: string): HTMLElement => {
    const box = el("span", "admin-source");
    box.id = id;
    const source = sourceOf(key);
    box.dataset["source"] = source;
    box.append(el("span", "admin-source-name", t(`admin.source.${source}` as MessageKey)));
    if (lockOf(key) !== null) {
      box.dataset["locked"] = "true";
      const note = el("span", "admin-locked", t("admin.locked", { path: policyPath ?? "" }));
      box.append(note);
    }
    return box;
  };
  const fieldsSource = el("p", "admin-hint admin-fields-source");
  fieldsSource.id = "admin-fields-source";
  fieldsSection.insertBefore(fieldsSource, fieldCount);

  // Who waits for a describe being read: one request per object, every waiter re-rendered.
  const waiting = new Map<string, Array<() => void>>();
  const ensureDescribe = (name: string, then: () => void): void => {
    if (describes.has(name)) return;
    const queue = waiting.get(name);
    if (queue !== undefined) {
      if (!queue.includes(then)) queue.push(then);
      return;
    }
    waiting.set(name, [then]);
    void describeFields(name).then((outcome) => {
      describes.set(name, outcome.ok ? outcome.value : outcome.error);
      const callbacks = waiting.get(name) ?? [];
      waiting.delete(name);
      for (const callback of callbacks) callback();
    });
  };

  const renderFields = (): void => {
    fieldsTitle.textContent = t("admin.fields.title");
    (objectLabel.firstChild as HTMLElement).textContent = t("admin.fields.object");
    (searchLabel.firstChild as HTMLElement).textContent = t("admin.fields.search");
    searchInput.placeholder = t("admin.fields.searchPlaceholder");
    objectSelect.value = object;
    fieldsSource.replaceChildren(
      el("span", "", `${t("admin.fields.visible")}: `),
      provenance(`fields.${object}.visible`, "admin-source-visible"),
      el("span", "", ` · ${t("admin.fields.editable")}: `),
      provenance(`fields.${object}.editable`, "admin-source-editable"),
    );
    const head = el("tr", "");
    for (const key of ["admin.fields.label", "admin.fields.type", "admin.fields.visible", "admin.fields.editable"] as const) {
      head.append(el("th", "", t(key)));
    }
    fieldHead.replaceChildren(head);
    const current = objectSettings();
    const described = describes.get(object);
    if (current === null || described === undefined) {
      fieldBody.replaceChildren();
      fieldCount.textContent = t("admin.loading");
      if (described === undefined) ensureDescribe(object, renderFields);
      return;
    }
    if (!Array.isArray(described)) {
      fieldBody.replaceChildren();
      fieldCount.replaceChildren(...errorNodes(described));
      return;
    }
    const known = new Set(described.map((f) => f.name.toLowerCase()));
    // Listed fields this user cannot see come first, so the admin can remove them.
    const missing = current.visible.filter((name) => !known.has(name.toLowerCase()));
    const rows = [
      ...missing.map((name) => fieldRow({ name, label: name, type: "", updateable: false, custom: false, length: 0, picklist: [] }, true)),
      ...described.map((f) => fieldRow(f, false)),
    ];
    fieldBody.replaceChildren(...rows);
    applySearch();
  };

  const fieldRow = (field: FieldChoice, missing: boolean): HTMLTableRowElement => {
    const current = objectSettings();
    const row = el("tr", "admin-field");
    row.dataset["field"] = field.name;
    row.dataset["search"] = `${field.name} ${field.label} ${field.type}`.toLowerCase();
    const name = el("td", "admin-field-name");
    name.append(el("span", "admin-field-label", field.label), el("code", "admin-field-api", field.name));
    if (missing) name.append(el("span", "admin-field-note", t("admin.fields.missing")));
    else if (!field.updateable) name.append(el("span", "admin-field-note", t("admin.fields.readOnly")));
    else if (field.type === "email" || field.type === "phone") name.append(el("span", "admin-field-note", t("admin.fields.emailPhone")));
    const type = el("td", "admin-field-type", typeHint(field));
    const visible = checkbox("admin-visible", includes(current?.visible, field.name));
    const editable = checkbox("admin-editable", includes(current?.editable, field.name));
    editable.disabled = (!field.updateable && !editable.checked) || lockOf(`fields.${object}.editable`) !== null;
    // A list the policy locks is shown, not changed (the save refuses it anyway).
    visible.disabled = lockOf(`fields.${object}.visible`) !== null;
    visible.setAttribute("aria-label", `${t("admin.fields.visible")}: ${field.label}`);
    editable.setAttribute("aria-label", `${t("admin.fields.editable")}: ${field.label}`);
    visible.addEventListener("change", () => {
      const o = objectSettings();
      if (o === null) return;
      o.visible = toggle(o.visible, field.name, visible.checked);
      // An editable field must be visible: hiding it stops editing too.
      if (!visible.checked && !editable.disabled) {
        o.editable = toggle(o.editable, field.name, false);
        editable.checked = false;
      }
      renderCount();
    });
    editable.addEventListener("change", () => {
      const o = objectSettings();
      if (o === null) return;
      o.editable = toggle(o.editable, field.name, editable.checked);
      if (editable.checked && !visible.disabled) {
        o.visible = toggle(o.visible, field.name, true);
        visible.checked = true;
      }
      renderCount();
    });
    const visibleCell = el("td", "");
    visibleCell.append(visible);
    const editableCell = el("td", "");
    editableCell.append(editable);
    row.append(name, type, visibleCell, editableCell);
    return row;
  };

  const applySearch = (): void => {
    const needle = search.trim().toLowerCase();
    for (const row of fieldBody.rows) row.hidden = needle !== "" && !(row.dataset["search"] ?? "").includes(needle);
    renderCount();
  };

  const renderCount = (): void => {
    const current = objectSettings();
    const rows = [...fieldBody.rows];
    if (current === null || rows.length === 0) return;
    fieldCount.textContent = t("admin.fields.count", {
      shown: rows.filter((r) => !r.hidden).length,
      total: rows.length,
      visible: current.visible.length,
      editable: current.editable.length,
    });
  };

  const renderIntents = (): void => {
    intentsSection.replaceChildren(el("h2", "admin-title", t("admin.intents.title")), provenance("intents", "admin-source-intents"));
    if (settings === null) return;
    const list = el("div", "admin-intent-list");
    settings.intents.forEach((intent, index) => list.append(intentRow(intent, index)));
    const add = el("button", "", t("admin.intents.add"));
    add.type = "button";
    add.id = "admin-intent-add";
    add.disabled = lockOf("intents") !== null;
    add.addEventListener("click", () => {
      settings?.intents.push({ name: "", target: "Contact.", value: null });
      renderIntents();
    });
    intentsSection.append(list, add);
  };

  const intentRow = (intent: IntentSetting, index: number): HTMLElement => {
    const row = el("div", "admin-intent");
    row.dataset["index"] = String(index);
    const [objectName = "", fieldName = ""] = intent.target.split(".", 2);
    const name = el("input", "admin-intent-name");
    name.value = intent.name;
    name.setAttribute("aria-label", t("admin.intents.name"));
    name.addEventListener("input", () => (intent.name = name.value.trim()));
    const objectPick = el("select", "admin-intent-object");
    objectPick.setAttribute("aria-label", t("admin.intents.object"));
    const objects: string[] = [...INTENT_OBJECTS];
    if (!objects.includes(objectName)) objects.push(objectName);
    for (const o of objects) objectPick.append(option(o, o));
    objectPick.value = objectName;
    objectPick.addEventListener("change", () => {
      intent.target = `${objectPick.value}.`;
      intent.value = null;
      renderIntents();
    });
    const fieldPick = el("select", "admin-intent-field");
    fieldPick.setAttribute("aria-label", t("admin.intents.field"));
    const described = describes.get(objectName);
    const fields = Array.isArray(described) ? described.filter((f) => f.updateable) : [];
    fieldPick.append(option("", t("admin.intents.chooseField")));
    for (const f of fields) fieldPick.append(option(f.name, `${f.label} (${f.name}) · ${typeHint(f)}`));
    if (fieldName !== "" && !fields.some((f) => f.name === fieldName)) fieldPick.append(option(fieldName, fieldName));
    fieldPick.value = fieldName;
    fieldPick.addEventListener("change", () => {
      intent.target = `${objectName}.${fieldPick.value}`;
      intent.value = null;
      renderIntents();
    });
    if (described === undefined && objectName !== "") ensureDescribe(objectName, renderIntents);
    const chosen = fields.find((f) => f.name === fieldName);
    const remove = el("button", "admin-intent-remove", t("admin.intents.remove"));
    remove.type = "button";
    remove.addEventListener("click", () => {
      settings?.intents.splice(index, 1);
      renderIntents();
    });
    row.append(name, objectPick, fieldPick, valuePicker(intent, chosen), remove);
    if (intent.name !== "") row.append(provenance(`intents.${intent.name}`, `admin-source-intent-${index}`));
    if (intent.name !== "" && lockOf(`intents.${intent.name}`) !== null) {
      row.dataset["locked"] = "true";
      for (const control of row.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>("input, select, button")) {
        control.disabled = true;
      }
    }
    return row;
  };

  const renderLogging = (): void => {
    loggingSection.replaceChildren(el("h2", "admin-title", t("admin.logging.title")));
    if (settings === null) return;
    const current = settings;
    const mode = el("select", "");
    mode.id = "admin-logging-mode";
    mode.append(option("task_and_call_log", t("admin.logging.taskAndCallLog")), option("call_log_only", t("admin.logging.callLogOnly")));
    mode.value = current.logging_mode;
    mode.addEventListener("change", () => (current.logging_mode = mode.value));
    const scope = el("select", "");
    scope.id = "admin-scope-profile";
    scope.append(
      option("", t("admin.logging.scopeDefault")),
      option("standard", t("admin.logging.standard")),
      option("extended", t("admin.logging.extended")),
      option("privileged", t("admin.logging.privileged")),
    );
    scope.value = current.scope_profile ?? "";
    scope.addEventListener("change", () => (current.scope_profile = scope.value === "" ? null : scope.value));
    mode.disabled = lockOf("logging.mode") !== null;
    scope.disabled = lockOf("salesforce.scope_profile") !== null;
    const modeLabel = labelled(t("admin.logging.mode"), mode);
    modeLabel.append(provenance("logging.mode", "admin-source-logging-mode"));
    const scopeLabel = labelled(t("admin.logging.scope"), scope);
    scopeLabel.append(provenance("salesforce.scope_profile", "admin-source-scope-profile"));
    loggingSection.append(modeLabel, scopeLabel);
  };

  const renderActions = (): void => {
    const save = el("button", "admin-save", t("admin.save"));
    save.id = "admin-save";
    save.type = "button";
    save.disabled = settings === null || status.kind === "busy";
    save.addEventListener("click", () => {
      if (settings === null) return;
      status = { kind: "busy" };
      renderStatus();
      renderActions();
      void saveAdminSettings(settings).then((outcome) => finish(outcome, false));
    });
    actions.replaceChildren(save);
  };

  const finish = (outcome: Awaited<ReturnType<typeof saveAdminSettings>>, imported: boolean): void => {
    if (!outcome.ok) status = { kind: "failed", error: outcome.error };
    else if (outcome.value.kind === "saved") status = { kind: "saved", path: outcome.value.path, imported };
    else status = { kind: "invalid", save: outcome.value };
    renderStatus();
    renderActions();
    if (status.kind === "saved") load(false);
  };

  const renderStatus = (): void => {
    statusBox.dataset["state"] = status.kind;
    statusBox.replaceChildren(...statusNodes(status, "admin-issues"));
  };

  /** What a save came to, in words: each problem with its key, field and reason. */
  const statusNodes = (shown: Status, issuesId: string | null, placed?: Set<ConfigIssue>): HTMLElement[] => {
    switch (shown.kind) {
      case "idle":
        return [];
      case "busy":
        return [el("p", "", t("admin.saving"))];
      case "saved":
        return [el("p", "admin-saved", t(shown.imported ? "admin.imported" : "admin.saved", { path: shown.path }))];
      case "invalid": {
        const list = el("ul", "admin-issues");
        if (issuesId !== null) list.id = issuesId;
        // Issues the outcome form shows next to their input are not listed again.
        for (const issue of shown.save.issues.filter((i) => placed === undefined || !placed.has(i))) {
          const item = el("li", "admin-issue");
          item.dataset["key"] = issue.key;
          item.dataset["field"] = issue.field;
          item.lang = "en";
          item.dir = "ltr";
          item.append(el("code", "admin-issue-key", issue.key));
          if (issue.field !== "") item.append(el("code", "admin-issue-field", issue.field));
          item.append(el("span", "admin-issue-reason", issue.reason));
          list.append(item);
        }
        return list.childElementCount > 0 ? [el("p", "admin-error", t("admin.invalid")), list] : [el("p", "admin-error", t("admin.invalid"))];
      }
      case "failed":
        return errorNodes(shown.error);
    }
  };

  /**
   * Each configured outcome as a form (one block per action, typed inputs; read-only with the
   * policy's note when the policy locks it), with its TOML behind "Edit as TOML", and a new
   * outcome's name and form. "Check and save" sends the form as a typed value to
   * ringside-core, which checks it against the org and writes it only when valid; each
   * problem is shown next to the input it concerns, the rest listed under the outcome. What
   * the admin typed stays in the form until it is saved.
   */
  const renderOutcomes = (): void => {
    const focused = document.activeElement;
    const refocus = focused instanceof HTMLElement && outcomesSection.contains(focused) ? (focused.dataset["focusKey"] ?? null) : null;
    outcomesSection.replaceChildren(el("h2", "admin-title", t("admin.outcomes.title")), el("p", "admin-hint", t("admin.outcomes.hint")));
    if (settings === null) return;
    const answered = (name: string, outcome: Awaited<ReturnType<typeof saveOutcome>>, isNew: boolean): void => {
      let shown: Status;
      if (!outcome.ok) shown = { kind: "failed", error: outcome.error };
      else if (outcome.value.kind === "saved") shown = { kind: "saved", path: outcome.value.path, imported: false };
      else shown = { kind: "invalid", save: outcome.value };
      outcomeStatus = { name, status: shown };
      if (shown.kind === "saved") {
        // Saved: the form and the TOML show the file's again; the new-outcome form is emptied.
        if (isNew) {
          formDrafts.delete("");
          newOutcomeName = "";
        } else {
          formDrafts.delete(name);
          outcomeDrafts.delete(name);
        }
        load(false);
      }
      renderOutcomes();
    };
    const saveText = (name: string, text: string | null): void => {
      outcomeStatus = { name, status: { kind: "busy" } };
      renderOutcomes();
      void saveOutcome(name, text).then((outcome) => answered(name, outcome, false));
    };
    const saveForm = (name: string, scope: string, form: OutcomeForm | null, isNew: boolean): void => {
      // A number that is not a whole number is said next to it; nothing is sent until fixed.
      if (form !== null && [...badNumbers].some((key) => key.startsWith(`${scope}:`))) {
        outcomeStatus = null;
        renderOutcomes();
        return;
      }
      outcomeStatus = { name, status: { kind: "busy" } };
      renderOutcomes();
      void saveOutcomeForm(name, form).then((outcome) => answered(name, outcome, isNew));
    };
    const issuesOf = (name: string): ConfigIssue[] =>
      outcomeStatus !== null && outcomeStatus.name === name && outcomeStatus.status.kind === "invalid" ? outcomeStatus.status.save.issues : [];
    const statusFor = (name: string, placed: Set<ConfigIssue>): HTMLElement => {
      const box = el("div", "admin-outcome-status");
      box.setAttribute("role", "status");
      if (outcomeStatus !== null && outcomeStatus.name === name) {
        box.dataset["state"] = outcomeStatus.status.kind;
        box.append(...statusNodes(outcomeStatus.status, null, placed));
      }
      return box;
    };
    const fieldsOf = (object: string): FieldChoice[] | null => {
      const described = describes.get(object);
      if (described === undefined) ensureDescribe(object, renderOutcomes);
      return Array.isArray(described) ? described : null;
    };
    const busy = outcomeStatus?.status.kind === "busy";
    if (outcomes.length === 0) outcomesSection.append(el("p", "admin-hint admin-outcomes-none", t("admin.outcomes.none")));
    for (const outcome of outcomes) {
      const box = el("div", "admin-outcome");
      box.dataset["name"] = outcome.name;
      const title = el("h3", "admin-outcome-name", outcome.name);
      title.dir = "auto";
      const source = el("span", "admin-source");
      source.dataset["source"] = outcome.source;
      source.append(el("span", "admin-source-name", t(`admin.source.${outcome.source}` as MessageKey)));
      const locked = outcome.locked !== null;
      if (locked) {
        box.dataset["locked"] = "true";
        source.dataset["locked"] = "true";
        source.append(el("span", "admin-locked", t("admin.locked", { path: policyPath ?? "" })));
      }
      title.append(source);
      const list = el("p", "admin-outcome-actions");
      list.append(el("span", "", t("admin.outcomes.actions")), " ");
      for (const action of outcome.actions) list.append(el("code", "admin-outcome-action", action), " ");
      let form = formDrafts.get(outcome.name);
      if (form === undefined) {
        form = structuredClone(outcome.form);
        formDrafts.set(outcome.name, form);
      }
      const scope = `form:${outcome.name}`;
      const editor = outcomeFormEditor({
        name: outcome.name,
        form,
        scope,
        locked,
        issues: issuesOf(outcome.name),
        fields: fieldsOf,
        badNumbers,
        changed: renderOutcomes,
      });
      box.append(title, list, editor.node);
      const sent = form;
      if (!locked) {
        const buttons = el("div", "admin-outcome-buttons");
        const saveButton = el("button", "admin-outcome-save", t("admin.save"));
        saveButton.type = "button";
        saveButton.disabled = busy;
        saveButton.addEventListener("click", () => saveForm(outcome.name, scope, sent, false));
        const remove = el("button", "admin-outcome-remove", t("admin.outcomes.remove"));
        remove.type = "button";
        remove.disabled = busy;
        remove.addEventListener("click", () => saveForm(outcome.name, scope, null, false));
        buttons.append(saveButton, remove);
        box.append(buttons);
      }
      // The fallback: the outcome's TOML, saved through the same check.
      const toml = el("details", "admin-outcome-toml");
      toml.open = tomlOpen.has(outcome.name);
      toml.addEventListener("toggle", () => (toml.open ? tomlOpen.add(outcome.name) : tomlOpen.delete(outcome.name)));
      const summary = el("summary", "", t("admin.outcomes.editToml"));
      summary.dataset["focusKey"] = `toml-open:${outcome.name}`;
      const text = outcomeEditor(outcome.name, outcome.text, `outcome:${outcome.name}`);
      text.readOnly = locked;
      text.setAttribute("aria-label", t("admin.outcomes.text", { name: outcome.name }));
      toml.append(summary, text);
      if (!locked) {
        const saveToml = el("button", "admin-outcome-save-toml", t("admin.outcomes.saveToml"));
        saveToml.type = "button";
        saveToml.disabled = busy;
        saveToml.addEventListener("click", () => saveText(outcome.name, text.value));
        toml.append(saveToml);
      }
      box.append(toml, statusFor(outcome.name, editor.placed));
      outcomesSection.append(box);
    }
    // A new outcome: the disposition it is for and its actions.
    const fresh = el("div", "admin-outcome admin-outcome-new");
    fresh.append(el("h3", "admin-outcome-name", t("admin.outcomes.new")));
    const name = el("input", "admin-outcome-new-name");
    name.id = "admin-outcome-new-name";
    name.dir = "auto";
    name.dataset["focusKey"] = "new-name";
    name.placeholder = t("admin.outcomes.namePlaceholder");
    name.value = newOutcomeName;
    name.addEventListener("input", () => (newOutcomeName = name.value));
    let form = formDrafts.get("");
    if (form === undefined) {
      form = emptyForm();
      formDrafts.set("", form);
    }
    const newName = newOutcomeName.trim();
    const editor = outcomeFormEditor({
      name: newName,
      form,
      scope: "form:",
      locked: false,
      issues: issuesOf(newName),
      fields: fieldsOf,
      badNumbers,
      changed: renderOutcomes,
    });
    const sent = form;
    const add = el("button", "admin-outcome-add", t("admin.outcomes.add"));
    add.id = "admin-outcome-add";
    add.type = "button";
    add.disabled = busy;
    add.addEventListener("click", () => saveForm(name.value.trim(), "form:", sent, true));
    fresh.append(labelled(t("admin.outcomes.name"), name), editor.node, add, statusFor(newName, editor.placed));
    outcomesSection.append(fresh);
    if (refocus !== null) outcomesSection.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(refocus)}"]`)?.focus();
  };

  /** A TOML editor for one outcome, keeping what the admin typed across re-renders. */
  const outcomeEditor = (draftKey: string, saved: string, focusKey: string): HTMLTextAreaElement => {
    const text = el("textarea", "admin-outcome-text");
    text.rows = Math.max(3, saved.split("\n").length + 1);
    // TOML reads left to right whatever the language; its strings set their own direction.
    text.dir = "ltr";
    text.lang = "en";
    text.spellcheck = false;
    text.dataset["focusKey"] = focusKey;
    text.value = outcomeDrafts.get(draftKey) ?? saved;
    text.addEventListener("input", () => outcomeDrafts.set(draftKey, text.value));
    return text;
  };

  const renderFile = (): void => {
    fileSection.replaceChildren(el("h2", "admin-title", t("admin.file.title")));
    const importLabel = el("label", "admin-inline");
    const file = el("input", "");
    file.id = "admin-import-file";
    file.type = "file";
    file.accept = ".toml,text/plain";
    file.addEventListener("change", () => {
      const chosen = file.files?.[0];
      if (chosen === undefined) return;
      status = { kind: "busy" };
      renderStatus();
      void chosen.text().then((text) => importConfig(text)).then((outcome) => finish(outcome, true));
    });
    importLabel.append(el("span", "", t("admin.file.import")), file);
    const exportButton = el("button", "", t("admin.file.export"));
    exportButton.id = "admin-export";
    exportButton.type = "button";
    const exported = el("div", "admin-export");
    exported.id = "admin-export-result";
    exportButton.addEventListener("click", () => {
      void exportConfig().then((outcome) => {
        if (!outcome.ok) {
          exported.replaceChildren(...errorNodes(outcome.error));
          return;
        }
        if (outcome.value === "") {
          exported.replaceChildren(el("p", "admin-hint", t("admin.file.exportEmpty")));
          return;
        }
        const link = el("a", "admin-export-link", "ringside.toml");
        link.href = URL.createObjectURL(new Blob([outcome.value], { type: "text/plain" }));
        link.download = "ringside.toml";
        // The text too: a webview without downloads still lets the admin copy it.
        const text = el("textarea", "admin-export-text");
        text.id = "admin-export-text";
        text.readOnly = true;
        text.rows = 8;
        text.value = outcome.value;
        text.dir = "ltr";
        exported.replaceChildren(link, text);
      });
    });
    fileSection.append(importLabel, exportButton, exported);
  };

  // One button for the view's life: re-rendering (e.g. when the view is shown again) must not
  // swap the element the admin is about to click.
  const doctorRun = el("button", "");
  doctorRun.id = "admin-doctor-run";
  doctorRun.type = "button";
  doctorRun.addEventListener("click", () => {
    doctorBusy = true;
    renderDoctor();
    void runDoctor().then((outcome) => {
      doctorBusy = false;
      checks = outcome.ok ? outcome.value : null;
      renderDoctor();
      if (!outcome.ok) doctorSection.append(...errorNodes(outcome.error));
    });
  });
  const renderDoctor = (): void => {
    doctorSection.replaceChildren(el("h2", "admin-title", t("admin.doctor.title")));
    doctorRun.textContent = t(doctorBusy ? "admin.doctor.running" : "admin.doctor.run");
    doctorRun.disabled = doctorBusy;
    doctorSection.append(doctorRun);
    if (checks === null) return;
    const list = el("ul", "admin-doctor");
    list.id = "admin-doctor";
    for (const check of checks) {
      const item = el("li", "doctor-check");
      item.dataset["status"] = check.status;
      item.dataset["name"] = check.name;
      const mark = { pass: "admin.doctor.pass", fail: "admin.doctor.fail", skip: "admin.doctor.skip" }[check.status] as MessageKey;
      item.append(el("span", `doctor-status doctor-${check.status}`, t(mark)), el("span", "doctor-name", check.name));
      const detail = el("span", "doctor-detail", check.detail);
      detail.lang = "en";
      item.append(detail);
      if (check.fix !== undefined && check.fix !== null) {
        const fix = el("p", "doctor-fix", t("admin.doctor.fix", { fix: check.fix }));
        item.append(fix);
      }
      list.append(item);
    }
    doctorSection.append(list);
  };

  const policyBox = el("p", "admin-hint admin-policy");
  policyBox.id = "admin-policy";
  container.insertBefore(policyBox, fieldsSection);
  const renderAll = (): void => {
    policyBox.hidden = policyPath === null;
    policyBox.textContent = policyPath === null ? "" : t("admin.policy", { path: policyPath });
    policyBox.dir = "auto";
    problemBox.hidden = problem === null;
    problemBox.replaceChildren();
    if (problem !== null) {
      const detail = el("code", "", problem);
      detail.dir = "ltr";
      problemBox.append(el("span", "", t("admin.fileProblem")), detail);
    }
    renderFields();
    renderIntents();
    renderLogging();
    renderActions();
    renderStatus();
    renderOutcomes();
    renderFile();
    renderDoctor();
  };

  const load = (resetStatus: boolean): void => {
    void adminSettings().then((outcome) => {
      if (!outcome.ok) {
        status = { kind: "failed", error: outcome.error };
        renderStatus();
        return;
      }
      settings = outcome.value.settings;
      path = outcome.value.path;
      problem = outcome.value.problem;
      policyPath = outcome.value.policy_path;
      sources = outcome.value.sources;
      outcomes = outcome.value.outcomes ?? [];
      if (resetStatus) status = { kind: "idle" };
      container.dataset["path"] = path;
      renderAll();
    });
  };

  objectSelect.addEventListener("change", () => {
    object = objectSelect.value as (typeof OBJECTS)[number];
    renderFields();
  });
  searchInput.addEventListener("input", () => {
    search = searchInput.value;
    applySearch();
  });
  onLocaleChange(renderAll);
  reload = () => load(true);
  renderAll();
}

/** The value picker of an intent, by the chosen field's type. */
function valuePicker(intent: IntentSetting, field: FieldChoice | undefined): HTMLElement {
  const cell = el("span", "admin-intent-value");
  cell.setAttribute("aria-label", t("admin.intents.value"));
  if (field === undefined) return cell;
  const automatic = { datetime: "admin.intents.now", date: "admin.intents.today", boolean: "admin.intents.checked" }[field.type] as
    | MessageKey
    | undefined;
  if (automatic !== undefined && intent.value === null) {
    cell.append(el("span", "admin-hint", t(automatic)));
    return cell;
  }
  if (field.type === "picklist" || field.type === "multipicklist") {
    const select = el("select", "admin-intent-fixed");
    select.append(option("", t("admin.intents.agentPicks")), ...field.picklist.map((v) => option(v, v)));
    select.value = intent.value ?? "";
    select.addEventListener("change", () => (intent.value = select.value === "" ? null : select.value));
    cell.append(select);
    return cell;
  }
  const input = el("input", "admin-intent-fixed");
  input.placeholder = t("admin.intents.agentTypes");
  if (field.length > 0) input.maxLength = field.length;
  input.value = intent.value ?? "";
  input.addEventListener("input", () => (intent.value = input.value === "" ? null : input.value));
  cell.append(input);
  return cell;
}

function typeHint(field: FieldChoice): string {
  if (field.type === "") return "";
  if (field.length > 0 && ["string", "textarea", "email", "phone", "url"].includes(field.type)) return `${field.type} (${field.length})`;
  if (field.picklist.length > 0) return `${field.type} (${field.picklist.length})`;
  return field.type;
}

function errorNodes(error: IpcError): HTMLElement[] {
  const key = (ERROR_CODES.has(error.code) ? `admin.error.${error.code}` : "admin.error.other") as MessageKey;
  const message = el("p", "admin-error", t(key));
  message.dataset["code"] = error.code;
  const detail = el("p", "admin-error-detail", error.message);
  detail.lang = "en";
  detail.dir = "ltr";
  return [message, detail];
}

function includes(list: readonly string[] | undefined, name: string): boolean {
  return (list ?? []).some((entry) => entry.toLowerCase() === name.toLowerCase());
}

function toggle(list: string[], name: string, on: boolean): string[] {
  const without = list.filter((entry) => entry.toLowerCase() !== name.toLowerCase());
  return on ? [...without, name] : without;
}

function checkbox(className: string, checked: boolean): HTMLInputElement {
  const box = el("input", className);
  box.type = "checkbox";
  box.checked = checked;
  return box;
}

function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  const label = el("label", "admin-inline");
  label.append(el("span", "", text), control);
  return label;
}

