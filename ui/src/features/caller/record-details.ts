// The details of one matched record, shared by the pop-up and the main window's record panel:
// company, title, phone, email, then its open Opportunities and open Cases. Text goes in
// through `textContent` only, so a value from Salesforce can never inject markup.

import type { CallerMatch, CallerObject } from "../../backend";
import { currentLocale, t } from "../../i18n";
import type { OpenCase } from "../../bindings/OpenCase";
import type { OpenOpportunity } from "../../bindings/OpenOpportunity";

export function renderRecordDetails(match: CallerMatch): HTMLElement {
  const section = el("section", "record-details");
  section.dataset["recordId"] = match.id;

  section.append(renderRecordHeading(match.name, match.object));

  const fields = el("dl", "record-fields");
  addField(fields, t("field.company"), match.company, "record-company", false);
  addField(fields, t("field.title"), match.title, "record-title", false);
  addField(fields, t("field.phone"), match.phone, "record-phone", true);
  addField(fields, t("field.email"), match.email, "record-email", true);
  section.append(fields);

  section.append(...renderRelated(match));
  return section;
}

/** The record's name and its object badge (`.record-name`, `.match-object`). */
export function renderRecordHeading(name: string, object: CallerObject): HTMLElement {
  const heading = el("div", "record-heading");
  heading.append(
    el("span", "record-name", name),
    el("span", `match-object match-object-${object.toLowerCase()}`, t(`object.${object}`)),
  );
  return heading;
}

/** The match's open Opportunities and Cases, or a note that the pop did not load them. */
export function renderRelated(match: CallerMatch): HTMLElement[] {
  if (!match.related_loaded) return [el("p", "record-related-unknown", t("record.relatedUnknown"))];
  return [
    relatedList("record-opportunities", t("record.opportunities"), t("record.noOpportunities"), match.open_opportunities.map(opportunityLine)),
    relatedList("record-cases", t("record.cases"), t("record.noCases"), match.open_cases.map(caseLine)),
  ];
}

function opportunityLine(opportunity: OpenOpportunity): HTMLLIElement {
  const item = el("li", "opportunity");
  // The record panel adds the Opportunity's intent buttons by this id (record-panel.ts).
  item.dataset["recordId"] = opportunity.id;
  item.append(el("span", "opportunity-name", opportunity.name));
  const facts = [
    opportunity.stage,
    opportunity.amount === null ? null : new Intl.NumberFormat(currentLocale()).format(opportunity.amount),
    opportunity.close_date === null ? null : t("record.closes", { date: formatDate(opportunity.close_date) }),
  ].filter((fact): fact is string => fact !== null && fact !== "");
  if (facts.length > 0) item.append(el("span", "related-facts", facts.join(" · ")));
  return item;
}

function caseLine(found: OpenCase): HTMLLIElement {
  const item = el("li", "case");
  item.dataset["recordId"] = found.id;
  const number = el("span", "case-number", found.number ?? "");
  number.dir = "ltr";
  item.append(number, el("span", "case-subject", found.subject ?? ""));
  if (found.status !== null && found.status !== "") item.append(el("span", "related-facts case-status", found.status));
  return item;
}

/** `YYYY-MM-DD` from Salesforce in the reader's language; anything else as sent. */
function formatDate(date: string): string {
  const parsed = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (parsed === null) return date;
  const [, year, month, day] = parsed;
  const utc = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: "medium", timeZone: "UTC" }).format(utc);
}

function relatedList(className: string, title: string, empty: string, items: HTMLLIElement[]): HTMLElement {
  const section = el("section", `record-related ${className}`);
  section.append(el("h3", "related-title", title));
  if (items.length === 0) {
    section.append(el("p", "related-empty", empty));
  } else {
    const list = el("ul", "related-list");
    list.append(...items);
    section.append(list);
  }
  return section;
}

function addField(list: HTMLDListElement, label: string, value: string | null, className: string, ltr: boolean): void {
  if (value === null || value === "") return;
  const valueEl = el("dd", className);
  const text = el("span", "", value);
  // Phone numbers and emails read left-to-right even inside a right-to-left page.
  if (ltr) text.dir = "ltr";
  valueEl.append(text);
  list.append(el("dt", "", label), valueEl);
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== "") node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
