// The caller search: a search box (Enter searches), a live status line ("Searching…",
// "3 matches", "no match", or an error with its next step) and the list of matches, each of
// which opens its open Opportunities and Cases (loaded on demand when the lookup lacked them).

import { lookupCaller, type IpcError, type LookupResult } from "../../backend";
import { onLocaleChange, t, tCount } from "../../i18n";
import { RelatedOnDemand } from "../popup/related-on-demand";
import { errorMessageKey } from "./error-message";
import { renderMatchList, type RelatedView } from "./match-list";
import { refreshOrgBadge } from "../../shell/org-badge";

type SearchState =
  | { kind: "idle" }
  | { kind: "searching"; query: string }
  | { kind: "found"; result: LookupResult }
  | { kind: "failed"; error: IpcError };

export function mountCallerSearch(root: HTMLElement): void {
  const form = document.createElement("form");
  form.className = "search";
  form.setAttribute("role", "search");
  form.noValidate = true;

  const label = document.createElement("label");
  label.htmlFor = "search-input";
  label.className = "search-label";

  const row = document.createElement("div");
  row.className = "search-row";
  const input = document.createElement("input");
  input.id = "search-input";
  input.type = "search";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.dir = "auto";
  const button = document.createElement("button");
  button.type = "submit";
  button.id = "search-submit";
  row.append(input, button);

  const hint = document.createElement("p");
  hint.className = "search-hint";
  hint.id = "search-hint";
  input.setAttribute("aria-describedby", "search-hint");
  form.append(label, row, hint);

  const status = document.createElement("div");
  status.id = "status";
  status.className = "status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  const list = document.createElement("ol");
  list.id = "matches";
  list.className = "matches";

  root.append(form, status, list);

  let state: SearchState = { kind: "idle" };
  // Why: a slow answer to an older search must not overwrite the newer one the agent typed.
  let latestSearch = 0;
  const expanded = new Set<string>();
  const relatedView: RelatedView = {
    related: new RelatedOnDemand(() => render()),
    expanded,
    toggle: (recordId) => {
      if (!expanded.delete(recordId)) expanded.add(recordId);
      render();
      // The list is drawn anew: keep the keyboard on the toggle the agent used.
      list.querySelector<HTMLButtonElement>(`li[data-record-id="${CSS.escape(recordId)}"] .match-related-toggle`)?.focus();
    },
  };

  const render = (): void => {
    label.textContent = t("search.label");
    input.placeholder = t("search.placeholder");
    button.textContent = t("search.submit");
    hint.textContent = t("search.hint");
    list.setAttribute("aria-label", t("results.label"));
    renderStatus(status, state);
    renderMatchList(list, state.kind === "found" ? state.result.matches : [], relatedView);
    form.setAttribute("aria-busy", String(state.kind === "searching"));
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    if (query === "") {
      input.focus();
      return;
    }
    const search = ++latestSearch;
    state = { kind: "searching", query };
    render();
    void lookupCaller(query).then((outcome) => {
      if (search !== latestSearch) return;
      expanded.clear();
      relatedView.related.reset();
      state = outcome.ok ? { kind: "found", result: outcome.value } : { kind: "failed", error: outcome.error };
      render();
      // A search is what finds the org's allowance used up (or back): the badge follows.
      refreshOrgBadge();
    });
  });

  onLocaleChange(render);
  render();
  input.focus();
}

function renderStatus(status: HTMLElement, state: SearchState): void {
  status.dataset["state"] = state.kind;
  switch (state.kind) {
    case "idle":
      status.replaceChildren();
      return;
    case "searching":
      status.replaceChildren(paragraph("status-text", t("status.searching")));
      return;
    case "found": {
      const count = state.result.matches.length;
      const text =
        count === 0 ? t("status.noMatch", { query: state.result.query }) : tCount("status.count", count);
      status.replaceChildren(paragraph(count === 0 ? "status-text status-empty" : "status-text", text));
      return;
    }
    case "failed": {
      const message = paragraph("status-text status-error", t(errorMessageKey(state.error.code)));
      message.id = "error-message";
      const details = document.createElement("details");
      details.className = "error-details";
      const summary = document.createElement("summary");
      summary.textContent = t("error.details");
      const detail = paragraph("error-detail", state.error.message);
      // The detail is the shell's English sentence; keep it readable in a right-to-left page.
      detail.dir = "ltr";
      detail.lang = "en";
      details.append(summary, detail);
      status.replaceChildren(message, details);
      return;
    }
  }
}

function paragraph(className: string, text: string): HTMLParagraphElement {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  return p;
}
