// The pop-up window's view of one call: "Searching…" with the number at once, then the
// matches (count, arrow keys pick one, its details with the owner and "Open in Salesforce"
// below), "Unknown caller", or an error with the number for a manual search. No match offers
// the inline "Create Lead / Create Contact" form. An ended call says so (missed or ended).
// Enter opens the picked record in the main window, Esc dismisses. It renders whatever the
// shell sends; the pop itself is ringside-core's.

import "./popup.css";
import { currentPop, dismissPop, onPopUpdate, openCallerRecord, type CallerMatch, type PopUpdate } from "../../backend";
import { bdi, onLocaleChange, t, tCount, type MessageKey } from "../../i18n";
import type { IpcCode } from "../../ipc";
import { errorMessageKey } from "../caller/error-message";
import { el } from "../caller/record-details";
import { openInSalesforce } from "./backend";
import { mountCreateForm } from "./create-form";
import { RelatedOnDemand } from "./related-on-demand";

const POP_ERRORS: Readonly<Partial<Record<IpcCode, MessageKey>>> = { timeout: "popup.error.timeout" };

export function mountPopView(root: HTMLElement): void {
  const header = el("div", "pop-header");
  const number = el("p", "pop-number");
  number.id = "pop-number";
  number.dir = "ltr";
  const status = el("div", "pop-status");
  status.id = "pop-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  header.append(number, status);

  const list = el("ol", "pop-matches");
  list.id = "pop-matches";
  list.setAttribute("role", "listbox");
  list.tabIndex = 0;
  const ended = el("p", "pop-ended");
  ended.id = "pop-ended";
  header.append(ended);
  const details = el("div", "pop-details");
  details.id = "pop-details";
  const owner = el("p", "pop-owner");
  owner.id = "pop-owner";
  const actions = el("div", "pop-actions");
  const openSalesforce = el("button", "pop-open-salesforce");
  openSalesforce.type = "button";
  openSalesforce.id = "pop-open-salesforce";
  const actionError = el("p", "pop-action-error status-error");
  actionError.id = "pop-action-error";
  actions.append(openSalesforce, actionError);
  const hint = el("p", "pop-hint");
  hint.id = "pop-hint";

  let update: PopUpdate | null = null;
  let selected = 0;
  let createdFor: string | null = null;
  const related = new RelatedOnDemand(() => render());
  const create = mountCreateForm(() => {
    createdFor = update?.call_id ?? null;
    // The shell's pop-update with the new record may arrive before or after this answer.
    render();
  });
  root.append(header, list, details, owner, actions, create.element, hint);

  const matches = (): readonly CallerMatch[] =>
    update?.pop?.status === "searched" ? update.pop.result.matches : [];

  const render = (): void => {
    list.setAttribute("aria-label", t("results.label"));
    const state = stateOf(update);
    root.dataset["state"] = state;
    number.textContent = update === null ? "" : callerText(update);
    status.replaceChildren(...statusLines(update));
    const shown = matches();
    selected = Math.min(selected, Math.max(shown.length - 1, 0));
    list.hidden = shown.length < 2;
    list.replaceChildren(
      ...shown.map((match, index) => {
        const item = el("li", "pop-match");
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", String(index === selected));
        item.dataset["recordId"] = match.id;
        const name = el("span", "match-name");
        name.append(bdi(match.name));
        item.append(name, el("span", "match-object", t(`object.${match.object}`)));
        item.addEventListener("click", () => {
          selected = index;
          render();
        });
        return item;
      }),
    );
    const picked = shown[selected];
    if (picked === undefined) {
      details.replaceChildren();
      list.removeAttribute("aria-activedescendant");
      delete details.dataset["source"];
    } else {
      // A match beyond the pop's first ones gets its related records when picked.
      details.replaceChildren(related.details(picked));
      // "search", or "recently_created": Ringside matched its own new record locally.
      details.dataset["source"] = picked.source;
    }
    owner.hidden = picked?.owner == null || picked.owner === "";
    owner.textContent = owner.hidden ? "" : t("popup.owner", { name: picked?.owner ?? "" });
    actions.hidden = picked === undefined;
    openSalesforce.textContent = t("popup.openInSalesforce");
    if (picked !== undefined) openSalesforce.dataset["recordId"] = picked.id;
    const end = update?.ended ?? null;
    root.dataset["ended"] = end === null ? "" : end.missed ? "missed" : "ended";
    ended.hidden = end === null;
    ended.textContent = end === null ? "" : t(end.missed ? "popup.ended.missed" : "popup.ended.ended");
    create.element.hidden = state !== "none";
    create.render();
    if (state === "found" && createdFor === update?.call_id) {
      const created = line("pop-status-detail pop-created", t("popup.create.created"));
      created.id = "pop-created";
      status.append(created);
    }
    hint.textContent = t(shown.length > 0 ? (shown.length > 1 ? "popup.hint.pick" : "popup.hint.open") : "popup.hint.dismiss");
  };

  const show = (next: PopUpdate): void => {
    if (update === null || update.call_id !== next.call_id) {
      selected = 0;
      related.reset();
      actionError.textContent = "";
      create.reset(next.call_id, next.caller.kind === "number" ? next.caller.number : "");
    }
    update = next;
    render();
  };

  openSalesforce.addEventListener("click", () => {
    const recordId = openSalesforce.dataset["recordId"];
    if (recordId === undefined) return;
    actionError.textContent = "";
    void openInSalesforce(recordId).then((outcome) => {
      if (!outcome.ok) {
        actionError.textContent = t(outcome.error.code === "opener_failed" ? "popup.openFailed" : errorMessageKey(outcome.error.code));
      }
    });
  });

  document.addEventListener("keydown", (event) => {
    const shown = matches();
    switch (event.key) {
      case "Escape":
        event.preventDefault();
        void dismissPop();
        return;
      case "ArrowDown":
      case "ArrowUp": {
        if (shown.length < 2) return;
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        selected = (selected + step + shown.length) % shown.length;
        render();
        return;
      }
      case "Enter": {
        const picked = shown[selected];
        if (update === null || picked === undefined) return;
        event.preventDefault();
        const callId = update.call_id;
        void openCallerRecord(callId, picked.id).then((outcome) => {
          if (!outcome.ok) {
            status.replaceChildren(line("pop-status-text status-error", t(errorMessageKey(outcome.error.code))));
          }
        });
        return;
      }
    }
  });

  onLocaleChange(render);
  render();
  // Listen first, then read the current pop: an update sent in between is not lost.
  void onPopUpdate(show).then(async () => {
    const current = await currentPop();
    if (current.ok && current.value !== null && update === null) show(current.value);
    if (!current.ok) {
      status.replaceChildren(line("pop-status-text status-error", t(errorMessageKey(current.error.code))));
    }
  });
  list.focus();
}

type PopState = "idle" | "searching" | "found" | "none" | "unknown" | "failed";

function stateOf(update: PopUpdate | null): PopState {
  if (update === null) return "idle";
  const pop = update.pop;
  if (pop === null) return "searching";
  switch (pop.status) {
    case "searched":
      return pop.result.matches.length > 0 ? "found" : "none";
    case "unknown_caller":
      return "unknown";
    case "failed":
      return "failed";
  }
}

function callerText(update: PopUpdate): string {
  return update.caller.kind === "number" ? update.caller.number : t("popup.withheldNumber");
}

function statusLines(update: PopUpdate | null): HTMLElement[] {
  if (update === null) return [line("pop-status-text", t("popup.waiting"))];
  const pop = update.pop;
  if (pop === null) return [line("pop-status-text", t("status.searching"))];
  switch (pop.status) {
    case "searched": {
      const count = pop.result.matches.length;
      const first =
        count === 0
          ? line("pop-status-text status-empty", t("popup.noMatch"))
          : line("pop-status-text pop-count", tCount("status.count", count));
      // Why: a user without Read on Leads still gets Contacts and Accounts; say what was not searched.
      const leftOut = pop.result.left_out.includes("Lead") ? [line("pop-status-detail pop-left-out", t("popup.leadsLeftOut"))] : [];
      // Near the org's allocation an older cached answer is shown rather than spending a request: say so.
      const cached = pop.result.cached_while_paused
        ? [line("pop-status-detail pop-cached-while-paused", t("popup.cachedWhilePaused"))]
        : [];
      return [first, ...leftOut, ...cached];
    }
    case "unknown_caller":
      return [
        line("pop-status-text pop-unknown", t("popup.unknownCaller")),
        line("pop-status-detail", t(pop.withheld ? "popup.withheld" : "popup.unreadable")),
      ];
    case "failed": {
      const key = POP_ERRORS[pop.code] ?? errorMessageKey(pop.code);
      const manual = line("pop-status-detail pop-manual", t("popup.manualSearch", { number: pop.number }));
      const message = line("pop-status-text status-error", t(key));
      message.id = "pop-error";
      return [message, manual];
    }
  }
}

function line(className: string, text: string): HTMLParagraphElement {
  return el("p", className, text);
}
