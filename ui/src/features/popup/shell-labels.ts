// Keeps the tray menu and the pop-up window's title in the UI's language: the main window
// sends them from the message catalog at start and on every language switch (the tray is
// built in Rust and has no catalog of its own).

import { onLocaleChange, t } from "../../i18n";
import { setShellLabels } from "./backend";

export function syncShellLabels(): void {
  const send = (): void => {
    void setShellLabels({
      show: t("popup.tray.show"),
      show_caller: t("popup.tray.showCaller"),
      quit: t("popup.tray.quit"),
      popup_title: t("popup.title"),
    }).then((outcome) => {
      // Not fatal: the tray keeps its English labels. Said on the console for diagnosis.
      if (!outcome.ok) console.warn(`tray labels not sent: ${outcome.error.message}`);
    });
  };
  onLocaleChange(send);
  send();
}
