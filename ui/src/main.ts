// Entry point: picks the language, draws the header (title, org badge, language selector)
// and the views with their tabs (shell/views.ts lists them).

import "./styles.css";
import { currentOrg, type CurrentOrg } from "./backend";
import { mountNavigation } from "./shell/navigation";
import { syncShellLabels } from "./features/popup/shell-labels";
import { refreshOrgBadge, setOrgBadgeRefresher } from "./shell/org-badge";
import { onQueueChanged } from "./features/call-log/backend";
import { mountBudgetBanner } from "./shell/budget-banner";
import { LOCALES, currentLocale, initialLocale, onLocaleChange, setLocale, t, tIn, type Locale } from "./i18n";

function mountHeader(root: HTMLElement): void {
  const header = document.createElement("header");
  header.className = "app-header";

  const title = document.createElement("h1");
  title.className = "app-title";

  // Which org the app talks to: the built-in demo org unless an org is signed in and active.
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

  let org: CurrentOrg | null = null;
  const render = (): void => {
    title.textContent = t("app.title");
    const demo = org === null || org.org.demo;
    const name = demo ? t("app.demoOrg") : (org?.org.alias ?? "");
    const usedUp = org?.allowance_used_up === true;
    // A used-up daily API allowance is an org-wide state: said on the badge, in words.
    badge.textContent = usedUp ? t("app.allowanceUsedUpBadge", { org: name }) : name;
    badge.title = usedUp
      ? t("app.allowanceUsedUp")
      : (org?.problem ?? (demo ? t("app.demoOrgHint") : (org?.org.username ?? "")));
    badge.dataset["demo"] = String(demo);
    badge.dataset["allowance"] = usedUp ? "used-up" : "ok";
    languageText.textContent = t("language.label");
    select.setAttribute("aria-label", t("language.label"));
    select.value = currentLocale();
  };
  onLocaleChange(render);
  render();
  setOrgBadgeRefresher(
    () =>
      void currentOrg().then((outcome) => {
        if (outcome.ok) {
          org = outcome.value;
          render();
        }
      }),
  );
  refreshOrgBadge();
  // The allowance state changes without the agent doing anything here: a pop in the pop-up
  // window, the queue holding or resuming. Re-reading it is local (no Salesforce request).
  void onQueueChanged(() => refreshOrgBadge());
  window.setInterval(refreshOrgBadge, BADGE_REFRESH_MS);
}

/** How often the badge re-reads the org's state (a local call, no Salesforce request). */
const BADGE_REFRESH_MS = 15_000;

/** Re-reads which org is in use (after a sign-in, a switch or a sign-out). */
export { refreshOrgBadge } from "./shell/org-badge";

const root = document.getElementById("app");
if (root === null) throw new Error("index.html lacks the #app element");
setLocale(initialLocale());
mountHeader(root);
// Under the header, above the views: seen from every tab, yet only a line.
const budgetBanner = mountBudgetBanner(root);
void onQueueChanged(() => budgetBanner.refresh());
mountNavigation(root);
// The tray menu (built in Rust) and the pop-up's title follow the UI's language.
syncShellLabels();
