// The main window's tabs: one button per view (a WAI-ARIA tablist, arrow keys move between
// tabs) and one section per view, only the chosen one visible. `showView` lets features bring
// a view forward (e.g. the pop-up opening a record shows the caller view).

import { onLocaleChange, t } from "../i18n";
import type { View } from "./view";
import { VIEWS } from "./views";

const tabs = new Map<string, HTMLButtonElement>();
const sections = new Map<string, HTMLElement>();
let shown: string | null = null;

export function mountNavigation(root: HTMLElement): void {
  const nav = document.createElement("nav");
  nav.className = "view-tabs";
  nav.setAttribute("role", "tablist");
  const main = document.createElement("main");
  root.append(nav, main);

  for (const view of VIEWS) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.id = `nav-${view.id}`;
    tab.className = "view-tab";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", `view-${view.id}`);
    tab.addEventListener("click", () => showView(view.id));
    tab.addEventListener("keydown", (event) => moveFocus(event, view));
    nav.append(tab);
    tabs.set(view.id, tab);

    const section = document.createElement("section");
    section.id = `view-${view.id}`;
    section.className = "view";
    section.setAttribute("role", "tabpanel");
    section.setAttribute("aria-labelledby", tab.id);
    section.hidden = true;
    main.append(section);
    sections.set(view.id, section);
    view.mount(section);
  }

  const render = (): void => {
    for (const view of VIEWS) {
      const tab = tabs.get(view.id);
      if (tab) tab.textContent = t(view.label);
    }
  };
  onLocaleChange(render);
  render();
  const first = VIEWS[0];
  if (first) showView(first.id);
}

/** Shows the view with this id (and hides the others); unknown ids are ignored. */
export function showView(id: string): void {
  const view = VIEWS.find((candidate) => candidate.id === id);
  if (!view) return;
  for (const [other, section] of sections) section.hidden = other !== id;
  for (const [other, tab] of tabs) {
    const selected = other === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  const changed = shown !== id;
  shown = id;
  if (changed) view.onShow?.();
}

function moveFocus(event: KeyboardEvent, from: View): void {
  // Logical direction: in a right-to-left page the next tab is to the left.
  const rtl = document.documentElement.dir === "rtl";
  const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[event.key];
  if (step === undefined) return;
  event.preventDefault();
  const index = VIEWS.indexOf(from);
  const next = VIEWS[(index + step + VIEWS.length) % VIEWS.length];
  if (!next) return;
  showView(next.id);
  tabs.get(next.id)?.focus();
}
