// Entry point: picks the language, draws the header (title, org badge, language selector)
// and mounts the record panel (filled from the pop-up) and the caller search.

import "./styles.css";
import { mountCallerSearch } from "./features/caller/caller-search";
import { mountRecordPanel } from "./features/caller/record-panel";
import { LOCALES, currentLocale, initialLocale, onLocaleChange, setLocale, t, tIn, type Locale } from "./i18n";

function mountHeader(root: HTMLElement): void {
  const header = document.createElement("header");
  header.className = "app-header";

  const title = document.createElement("h1");
  title.className = "app-title";

  // This build always runs on the built-in demo org (src-tauri starts it); the badge says so.
  const badge = document.createElement("span");
  badge.id = "org-badge";
  badge.className = "org-badge";

  const languageLabel = document.createElement("label");
  languageLabel.className = "language";
  const languageText = document.createElement("span");
  languageText.className = "visually-hidden";
  const select = document.createElement("select");
  select.id = "language-select";
  for (const locale of LOCALES) {
    const option = document.createElement("option");
    option.value = locale;
    option.lang = locale;
    option.textContent = tIn(locale, "language.name");
    select.append(option);
  }
  select.addEventListener("change", () => setLocale(select.value as Locale, true));
  languageLabel.append(languageText, select);

  header.append(title, badge, languageLabel);
  root.append(header);

  const render = (): void => {
    title.textContent = t("app.title");
    badge.textContent = t("app.demoOrg");
    badge.title = t("app.demoOrgHint");
    languageText.textContent = t("language.label");
    select.setAttribute("aria-label", t("language.label"));
    select.value = currentLocale();
  };
  onLocaleChange(render);
  render();
}

const root = document.getElementById("app");
if (root === null) throw new Error("index.html lacks the #app element");
setLocale(initialLocale());
mountHeader(root);
const main = document.createElement("main");
root.append(main);
mountRecordPanel(main);
mountCallerSearch(main);
