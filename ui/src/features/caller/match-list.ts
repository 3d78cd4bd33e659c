// Renders the ranked matches of one lookup, each with a toggle for its open Opportunities and
// Cases (loaded on demand for a match the lookup did not bring them for). Text goes in through
// `textContent` only, so a record name from Salesforce can never inject markup.

import type { CallerMatch } from "../../backend";
import { t } from "../../i18n";
import type { RelatedOnDemand } from "../popup/related-on-demand";

/** Which matches show their related records, and where those come from. */
export interface RelatedView {
  readonly related: RelatedOnDemand;
  /** Record ids whose related records are open. */
  readonly expanded: ReadonlySet<string>;
  /** The agent opened or closed a match's related records. */
  toggle(recordId: string): void;
}

export function renderMatchList(list: HTMLOListElement, matches: readonly CallerMatch[], view?: RelatedView): void {
  list.replaceChildren(...matches.map((match) => renderMatch(match, view)));
}

function renderMatch(match: CallerMatch, view: RelatedView | undefined): HTMLLIElement {
  const item = el("li", "match");
  item.dataset["recordId"] = match.id;
  item.dataset["object"] = match.object;

  const heading = el("div", "match-heading");
  heading.append(
    el("span", "match-name", match.name),
    el("span", `match-object match-object-${match.object.toLowerCase()}`, t(`object.${match.object}`)),
  );
  item.append(heading);

  const details = el("dl", "match-details");
  addDetail(details, t("field.company"), match.company, "match-company");
  addDetail(details, t("field.phone"), match.phone, "match-phone");
  addDetail(details, t("field.email"), match.email, "match-email");
  item.append(details);
  if (view !== undefined) item.append(...relatedToggle(match, view));
  return item;
}

function relatedToggle(match: CallerMatch, view: RelatedView): HTMLElement[] {
  const open = view.expanded.has(match.id);
  const panel = el("div", "match-related");
  panel.id = `match-related-${match.id}`;
  const toggle = el("button", "match-related-toggle", t("popup.related.show"));
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", String(open));
  toggle.setAttribute("aria-controls", panel.id);
  // Why stop: a click elsewhere on a match opens its record panel (record-panel.ts); opening
  // the related records (or "Try again" inside them) must not also do that.
  toggle.addEventListener("click", (event) => {
    event.stopPropagation();
    view.toggle(match.id);
  });
  panel.addEventListener("click", (event) => event.stopPropagation());
  panel.hidden = !open;
  // Only an opened match asks for its related records (one request each, on demand).
  if (open) panel.append(...view.related.related(match));
  return [toggle, panel];
}

function addDetail(list: HTMLDListElement, label: string, value: string | null, className: string): void {
  if (value === null || value === "") return;
  const valueEl = el("dd", className);
  // Phone numbers and emails read left-to-right even inside a right-to-left page, while the
  // cell itself follows the page direction (so in Arabic it sits beside its label).
  const text = el("span", "", value);
  text.dir = "ltr";
  valueEl.append(text);
  list.append(el("dt", "", label), valueEl);
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== "") node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
