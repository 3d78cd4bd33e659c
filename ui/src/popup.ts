// Entry point of the pop-up window (popup.html, window label "popup"): picks the language
// like the main window and mounts the pop view.

import "./styles.css";
import { mountPopView } from "./features/popup/pop-view";
import { initialLocale, setLocale } from "./i18n";

const root = document.getElementById("popup");
if (root === null) throw new Error("popup.html lacks the #popup element");
setLocale(initialLocale());
mountPopView(root);
