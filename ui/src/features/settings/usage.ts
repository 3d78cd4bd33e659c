// Settings' "API use today" section (issue 18): the org's used/allocation, Ringside's own
// requests today by kind, requests per handled call, and the governor's threshold. Read
// through `usage_today` (the same report as `ringside org usage`); it costs no request.

import { t, type MessageKey } from "../../i18n";
import { formatShare, optionalPaused, orgFigures, usageToday, type BudgetView } from "../../shell/budget";

export function createUsageSection(): { element: HTMLElement; refresh: () => void; relabel: () => void } {
  const element = document.createElement("section");
  element.id = "settings-usage";
  element.className = "settings-usage";
  const title = document.createElement("h3");
  const org = document.createElement("p");
  org.id = "settings-usage-org";
  const ringside = document.createElement("p");
  ringside.id = "settings-usage-ringside";
  const kinds = document.createElement("ul");
  kinds.id = "settings-usage-kinds";
  const perCall = document.createElement("p");
  perCall.id = "settings-usage-per-call";
  const paused = document.createElement("p");
  paused.id = "settings-usage-paused";
  paused.className = "settings-detail";
  element.append(title, org, ringside, kinds, perCall, paused);
  let budget: BudgetView | null = null;
  let problem: string | null = null;
  const number = (n: number, digits = 0): string =>
    new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: digits }).format(n);

  const relabel = (): void => {
    title.textContent = t("settings.usage.title");
    element.dataset["state"] = budget === null ? (problem === null ? "loading" : "unavailable") : "ready";
    if (budget === null) {
      org.textContent = problem === null ? "" : `${t("settings.usage.unavailable")} ${problem}`;
      ringside.textContent = "";
      kinds.replaceChildren();
      perCall.textContent = "";
      paused.hidden = true;
      return;
    }
    const figures = orgFigures(budget);
    org.textContent = figures === null ? t("settings.usage.orgUnknown") : t("settings.usage.org", figures);
    org.dataset["used"] = budget.org === null ? "" : String(budget.org.used);
    org.dataset["max"] = budget.org === null ? "" : String(budget.org.max);
    ringside.textContent = t("settings.usage.ringside", { count: number(budget.ringside_today) });
    ringside.dataset["today"] = String(budget.ringside_today);
    // Only the kinds Ringside spent requests on today: a list of zeros says nothing.
    kinds.replaceChildren(
      ...budget.by_kind
        .filter((k) => k.requests > 0)
        .map((k) => {
          const item = document.createElement("li");
          item.dataset["kind"] = k.kind;
          item.dataset["requests"] = String(k.requests);
          item.textContent = `${t(`settings.usage.kind.${k.kind}` as MessageKey)}: ${number(k.requests)}`;
          return item;
        }),
    );
    perCall.textContent =
      budget.per_call === null
        ? t("settings.usage.perCallUnknown")
        : t("settings.usage.perCall", { perCall: number(budget.per_call, 2), calls: number(budget.handled_calls) });
    paused.hidden = false;
    paused.dataset["paused"] = String(optionalPaused(budget));
    paused.textContent = t("settings.usage.paused", { threshold: formatShare(budget.pause_at) });
  };
  const refresh = (): void =>
    void usageToday().then((outcome) => {
      budget = outcome.ok ? outcome.value : null;
      problem = outcome.ok ? null : outcome.error.message;
      relabel();
    });
  relabel();
  return { element, refresh, relabel };
}
