// Entry point of the pop-up window (popup.html, window label "popup"): picks the language
// like the main window and mounts the pop view.

import "./styles.css";
import { mountPopView } from "./features/popup/pop-view";
import { initialLocale, onLocaleChange, setLocale, t } from "./i18n";

const root = document.getElementById("popup");
if (root === null) throw new Error("popup.html lacks the #popup element");
setLocale(initialLocale());
// setLocale titles the page with the app's name; the pop-up has its own title.
const retitle = (): void => {
  document.title = t("popup.title");
};
onLocaleChange(retitle);
retitle();
mountPopView(root);
