// The main window's quiet banner near the org's daily API allocation: one line (never a
// dialog, never focus-stealing) saying optional requests are paused and what still works.
// It follows the governor (`[api] pause_optional_at`, 90 % by default) and goes away by itself.

import { onLocaleChange, t } from "../i18n";
import { optionalPaused, orgFigures, usageToday, type BudgetView } from "./budget";

/** How often the banner re-reads the budget (local: no Salesforce request). */
const BUDGET_REFRESH_MS = 15_000;

export function mountBudgetBanner(root: HTMLElement): { refresh: () => void } {
  const banner = document.createElement("p");
  banner.id = "api-budget-banner";
  banner.className = "api-budget-banner";
  banner.setAttribute("role", "status");
  banner.hidden = true;
  root.append(banner);
  let budget: BudgetView | null = null;
  const render = (): void => {
    const figures = budget === null ? null : orgFigures(budget);
    const show = optionalPaused(budget) && figures !== null;
    banner.hidden = !show;
    banner.dataset["state"] = show ? "paused" : "allowed";
    banner.textContent = show && figures !== null ? t("app.budgetPaused", figures) : "";
  };
  const refresh = (): void =>
    void usageToday().then((outcome) => {
      // No budget (an older shell, no usage file): no banner, never an error here.
      budget = outcome.ok ? outcome.value : null;
      render();
    });
  onLocaleChange(render);
  refresh();
  window.setInterval(refresh, BUDGET_REFRESH_MS);
  return { refresh };
}
