// The history filters: a form whose every change applies at once. Dates are the user's local
// days (From includes its whole day, To too), sent as instants with the local offset; agents
// and outcomes are offered from what the charts have seen.

import { t } from "../../i18n";
import type { HistoryQuery, HistoryStats } from "./backend";
import { localDayStart } from "./format";

export interface HistoryFilters {
  readonly element: HTMLFormElement;
  query(): HistoryQuery;
  /** Offers the agents and outcomes these stats name (kept across filters). */
  learn(stats: HistoryStats): void;
  relabel(): void;
}

export function createHistoryFilters(onApply: () => void): HistoryFilters {
  const form = document.createElement("form");
  form.id = "history-filters";
  form.className = "history-filters";
  form.noValidate = true;

  const field = <E extends HTMLElement>(id: string, control: E): { label: HTMLLabelElement; control: E; wrap: HTMLElement } => {
    const wrap = document.createElement("div");
    wrap.className = "history-field";
    const label = document.createElement("label");
    label.htmlFor = id;
    control.id = id;
    wrap.append(label, control);
    form.append(wrap);
    return { label, control, wrap };
  };
  const date = (): HTMLInputElement => {
    const input = document.createElement("input");
    input.type = "date";
    return input;
  };
  const since = field("history-since", date());
  const until = field("history-until", date());
  const agent = field("history-agent", document.createElement("select"));
  const direction = field("history-direction", document.createElement("select"));
  const dispositionInput = document.createElement("input");
  dispositionInput.type = "text";
  dispositionInput.setAttribute("list", "history-dispositions");
  dispositionInput.autocomplete = "off";
  const disposition = field("history-disposition", dispositionInput);
  const outcomes = document.createElement("datalist");
  outcomes.id = "history-dispositions";
  disposition.wrap.append(outcomes);
  const object = field("history-object", document.createElement("select"));

  const actions = document.createElement("div");
  actions.className = "history-filter-actions";
  const apply = document.createElement("button");
  apply.type = "submit";
  apply.id = "history-apply";
  const clear = document.createElement("button");
  clear.type = "button";
  clear.id = "history-clear";
  actions.append(apply, clear);
  form.append(actions);

  const agents = new Map<string, string>();
  const knownOutcomes = new Set<string>();

  const option = (value: string, text: string): HTMLOptionElement => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  };
  const fillSelect = (select: HTMLSelectElement, options: [string, string][]): void => {
    const value = select.value;
    select.replaceChildren(...options.map(([v, text]) => option(v, text)));
    select.value = options.some(([v]) => v === value) ? value : "";
  };
  const relabel = (): void => {
    since.label.textContent = t("history.since");
    until.label.textContent = t("history.until");
    agent.label.textContent = t("history.agent");
    direction.label.textContent = t("history.direction");
    disposition.label.textContent = t("history.disposition");
    dispositionInput.placeholder = t("history.dispositionPlaceholder");
    object.label.textContent = t("history.object");
    apply.textContent = t("history.apply");
    clear.textContent = t("history.clear");
    form.setAttribute("aria-label", t("history.filters"));
    fillSelect(agent.control, [["", t("history.agentAny")], ...[...agents].sort((a, b) => a[1].localeCompare(b[1]))]);
    fillSelect(direction.control, [
      ["", t("history.directionAny")],
      ["inbound", t("history.inbound")],
      ["outbound", t("history.outbound")],
    ]);
    fillSelect(object.control, [
      ["", t("history.objectAny")],
      ["Contact", t("object.Contact")],
      ["Lead", t("object.Lead")],
      ["Account", t("object.Account")],
    ]);
  };
  relabel();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onApply();
  });
  // Picking a value applies it; typing an outcome applies on Enter or leaving the box.
  form.addEventListener("change", () => onApply());
  clear.addEventListener("click", () => {
    for (const input of [since.control, until.control, dispositionInput]) input.value = "";
    for (const select of [agent.control, direction.control, object.control]) select.value = "";
    onApply();
  });

  const blank = (value: string): string | null => (value.trim() === "" ? null : value.trim());
  return {
    element: form,
    query() {
      return {
        since: since.control.value ? localDayStart(since.control.value) : null,
        until: until.control.value ? localDayStart(until.control.value, 1) : null,
        agent: blank(agent.control.value),
        direction: blank(direction.control.value),
        disposition: blank(dispositionInput.value),
        matched_object: blank(object.control.value),
      };
    },
    learn(stats) {
      let changed = false;
      for (const a of stats.per_agent) {
        if (a.owner_id !== null && !agents.has(a.owner_id)) {
          agents.set(a.owner_id, a.name ?? a.owner_id);
          changed = true;
        }
      }
      for (const o of stats.outcomes) {
        if (o.disposition !== null && !knownOutcomes.has(o.disposition)) {
          knownOutcomes.add(o.disposition);
          outcomes.append(option(o.disposition, o.disposition));
        }
      }
      if (changed) relabel();
    },
    relabel,
  };
}
