// The main window's record panel: the record the agent opened from the pop-up (Enter),
// shown above the search with its details, open opportunities and cases.

import { onShowRecord, type CallerMatch } from "../../backend";
import { onLocaleChange, t } from "../../i18n";
import { renderRecordDetails } from "./record-details";

/** `reveal` brings the panel's view forward when the pop-up opens a record in it. */
export function mountRecordPanel(root: HTMLElement, reveal: () => void): void {
  const panel = document.createElement("section");
  panel.id = "record-panel";
  panel.className = "record-panel";
  panel.hidden = true;
  panel.tabIndex = -1;
  root.append(panel);

  let record: CallerMatch | null = null;
  const render = (): void => {
    panel.setAttribute("aria-label", t("record.panel"));
    panel.hidden = record === null;
    panel.replaceChildren(...(record === null ? [] : [renderRecordDetails(record)]));
  };
  onLocaleChange(render);
  // No event permission (e.g. in a plain browser) only means the pop-up cannot open records here.
  void onShowRecord((shown) => {
    record = shown;
    render();
    reveal();
    panel.focus();
  });
}
