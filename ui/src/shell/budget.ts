// The org's API budget (issue 18), read through `usage_today`: one reader shared by the main
// window's quiet banner, Settings and the history's auto-refresh. Reading it is local (the
// shell's usage file and the last answer's Sforce-Limit-Info): it costs no Salesforce request.

import { call, type Outcome } from "../ipc";
import type { BudgetView } from "../bindings/BudgetView";
import { currentLocale } from "../i18n";

export type { BudgetView };

/** Today's budget for the org in use (`usage_today`). */
export async function usageToday(): Promise<Outcome<BudgetView>> {
  return call("usage_today");
}

/** Whether the governor holds optional requests back now. */
export function optionalPaused(budget: BudgetView | null): boolean {
  return budget?.optional.state === "paused";
}

/** `{used, max, percent}` of the org's figures, formatted for the current language. */
export function orgFigures(budget: BudgetView): { used: string; max: string; percent: string } | null {
  const org = budget.org;
  if (org === null) return null;
  const locale = currentLocale();
  const share = org.max === 0 ? 1 : org.used / org.max;
  return {
    used: new Intl.NumberFormat(locale).format(org.used),
    max: new Intl.NumberFormat(locale).format(org.max),
    percent: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(share),
  };
}

/** A share (0.9) as a percentage in the current language ("90 %"). */
export function formatShare(share: number): string {
  return new Intl.NumberFormat(currentLocale(), { style: "percent", maximumFractionDigits: 1 }).format(share);
}
