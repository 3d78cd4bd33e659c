// Renders the ranked matches of one lookup. Text goes in through `textContent` only, so a
// record name from Salesforce can never inject markup.

import type { CallerMatch } from "../../backend";
import { t } from "../../i18n";

export function renderMatchList(list: HTMLOListElement, matches: readonly CallerMatch[]): void {
  list.replaceChildren(...matches.map(renderMatch));
}

function renderMatch(match: CallerMatch): HTMLLIElement {
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
  return item;
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
