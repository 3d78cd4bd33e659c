// The main window's record panel: the record the agent opened (Enter in the pop-up, or a click
// on a match in the search results), shown above the search with its name, its fields under
// the admin's policy (editable where allowed, see record-editor.ts) and, when the pop loaded
// them, its open opportunities and cases.

import { onShowRecord, type CallerMatch, type CallerObject } from "../../backend";
import { onLocaleChange, t } from "../../i18n";
import { createRecordEditor } from "./record-editor";
import { renderRecordHeading, renderRelated } from "./record-details";

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
  const editor = createRecordEditor();
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
  };
  const open = (next: Opened): void => {
    opened = next;
    render();
    editor.load("match" in next ? next.match.id : next.id);
    panel.focus();
  };
  onLocaleChange(render);
  // No event permission (e.g. in a plain browser) only means the pop-up cannot open records here.
  void onShowRecord((shown) => {
    open({ match: shown });
    reveal();
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
