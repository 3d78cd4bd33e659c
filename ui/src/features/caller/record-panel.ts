// The main window's record panel: the record the agent opened (Enter in the pop-up, or a click
// on a match in the search results), shown above the search with its name, its fields under
// the admin's policy (editable where allowed, see record-editor.ts) and, when the pop loaded
// them, its open opportunities and cases. Each related Opportunity (or Case) gets the intent
// buttons the admin mapped to its object (e.g. "Demo requested" writing
// Opportunity.Demo_Requested_At__c on that Opportunity), from the record's `related_intents`.

import { onShowRecord, recordToShow, type CallerMatch, type CallerObject } from "../../backend";
import { isolate, onLocaleChange, t, type MessageKey } from "../../i18n";
import type { IntentButton } from "../../bindings/IntentButton";
import { applyIntent, type ShownRecord } from "./record-backend";
import { createRecordEditor, intentLabel } from "./record-editor";
import { el, renderRecordHeading, renderRelated } from "./record-details";

/** What the panel shows: a match from the pop-up (with its related lists) or a record by id. */
type Opened = { match: CallerMatch } | { id: string; name: string; object: CallerObject };

const OBJECTS: readonly CallerObject[] = ["Contact", "Lead", "Account"];

/** `reveal` brings the panel's view forward when the pop-up opens a record in it. */
export function mountRecordPanel(root: HTMLElement, reveal: () => void): void {
  const panel = document.createElement("section");
  panel.id = "record-panel";
  panel.className = "record-panel";
  panel.hidden = true;
  panel.tabIndex = -1;
  root.append(panel);

  let opened: Opened | null = null;
  let shown: ShownRecord | null = null;
  const decorate = (): void => {
    if (shown === null || opened === null) return;
    // `?? []`: a record from an older backend carries no related intents.
    for (const group of shown.related_intents ?? []) {
      const kind = group.object === "Opportunity" ? "opportunity" : group.object === "Case" ? "case" : null;
      if (kind === null) continue;
      for (const item of panel.querySelectorAll<HTMLElement>(`li.${kind}[data-record-id]`)) {
        item.querySelector(".related-intents")?.remove();
        item.append(renderRelatedIntents(item.dataset["recordId"] ?? "", group.intents));
      }
    }
  };
  const editor = createRecordEditor((record) => {
    shown = record;
    decorate();
  });
  const render = (): void => {
    panel.setAttribute("aria-label", t("record.panel"));
    panel.hidden = opened === null;
    if (opened === null) {
      panel.replaceChildren();
      return;
    }
    const id = "match" in opened ? opened.match.id : opened.id;
    panel.dataset["recordId"] = id;
    const heading =
      "match" in opened
        ? renderRecordHeading(opened.match.name, opened.match.object)
        : renderRecordHeading(opened.name, opened.object);
    panel.replaceChildren(heading, editor.element, ...("match" in opened ? renderRelated(opened.match) : []));
    decorate();
  };
  const open = (next: Opened): void => {
    opened = next;
    shown = null;
    render();
    editor.load("match" in next ? next.match.id : next.id);
    panel.focus();
  };
  onLocaleChange(render);
  // No event permission (e.g. in a plain browser) only means the pop-up cannot open records here.
  const show = (match: CallerMatch): void => {
    open({ match });
    reveal();
  };
  void onShowRecord(show);
  // A window made for Enter in the pop-up (it was closed, Ringside in the tray) missed that
  // event: its record waits in the shell.
  void recordToShow().then((outcome) => {
    if (outcome.ok && outcome.value !== null) show(outcome.value);
  });
  // A match in the search results opens here too (the list is rendered by match-list.ts).
  root.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest(".match[data-record-id]") : null;
    if (!(target instanceof HTMLElement)) return;
    const id = target.dataset["recordId"] ?? "";
    const object = OBJECTS.find((o) => o === target.dataset["object"]);
    if (id === "" || object === undefined) return;
    const name = target.querySelector(".match-name")?.textContent ?? "";
    open({ id, name, object });
  });
}

const INTENT_ERRORS = new Set(["salesforce_unreachable", "record_deleted", "record_not_found", "salesforce_rejected", "signed_out", "queue_unavailable"]);

/** The intent buttons of one related record (`id`), each with its input when it takes one. */
function renderRelatedIntents(id: string, intents: IntentButton[]): HTMLElement {
  const box = el("div", "related-intents");
  const status = el("span", "related-intent-status");
  status.setAttribute("role", "status");
  for (const intent of intents) {
    let input: HTMLInputElement | HTMLSelectElement | null = null;
    if (intent.kind === "choose") {
      const select = el("select", "intent-input");
      const none = el("option", "", t("recordEdit.intentChoose"));
      none.value = "";
      select.append(none, ...intent.values.map((v) => Object.assign(el("option", "", v), { value: v })));
      input = select;
    } else if (intent.kind === "typed") {
      const text = el("input", "intent-input");
      text.type = "text";
      if (intent.length > 0) text.maxLength = intent.length;
      input = text;
    }
    const label = intentLabel(intent.name);
    const button = el("button", "related-intent-button", label);
    button.type = "button";
    button.title = intent.label;
    button.dataset["intent"] = intent.name;
    if (input !== null) {
      input.setAttribute("aria-label", `${label}: ${intent.label}`);
      box.append(input);
    }
    button.addEventListener("click", () => {
      button.disabled = true;
      status.dataset["state"] = "saving";
      status.textContent = t("recordEdit.saving");
      void applyIntent(id, intent.name, input?.value ?? null).then((outcome) => {
        button.disabled = false;
        if (!outcome.ok) {
          const code = outcome.error.code;
          status.dataset["state"] = "failed";
          status.textContent = t((INTENT_ERRORS.has(code) ? `recordEdit.error.${code}` : "recordEdit.error.unknown") as MessageKey);
          return;
        }
        const answer = outcome.value;
        status.dataset["state"] = answer.kind;
        if (answer.kind === "saved") status.textContent = t("recordEdit.intentApplied", { intent: label });
        else if (answer.kind === "queued") status.textContent = t("recordEdit.intentQueued", { intent: label });
        else if (answer.kind === "refused")
          status.textContent = `${t("recordEdit.intentRefused", { intent: label })} ${isolate(answer.problems.map((p) => p.reason).join("; "))}`;
        else status.textContent = t("recordEdit.error.unknown");
      });
    });
    box.append(button);
  }
  box.append(status);
  return box;
}
