// The history view (tab `history`): filters, the virtualised call table with the picked call's
// details beside it, the CSV export, and the charts. A filter change reloads the first page
// (one API call) and, separately, the chart numbers; scrolling near the end loads the next
// page through the cursor the shell keeps.

import { onLocaleChange, t, tCount, type MessageKey } from "../../i18n";
import type { IpcCode } from "../../ipc";
import type { View } from "../../shell/view";
import {
  exportHistoryCsv,
  historyFirstPage,
  historyNextPage,
  historyStats,
  type HistoryPageView,
  type HistoryQuery,
  type HistoryRow,
} from "./backend";
import type { HistoryCharts } from "./charts";
import { renderDetail } from "./detail";
import { createHistoryFilters } from "./filters";
import { formatNumber } from "./format";
import { createHistoryTable } from "./table";
import { optionalPaused, orgFigures, usageToday } from "../../shell/budget";
import "./history.css";

const KNOWN_ERRORS = new Set<IpcCode>([
  "invalid_input",
  "salesforce_unreachable",
  "salesforce_error",
  "signed_out",
  "cursor_expired",
  "org_changed",
  "export_failed",
  "opener_failed",
]);

/** The catalog message for an IPC error code of the history commands. */
export function historyErrorKey(code: IpcCode): MessageKey {
  return (KNOWN_ERRORS.has(code) ? `history.error.${code}` : "history.error.unknown") as MessageKey;
}

function mountHistory(section: HTMLElement): { refresh: () => void } {
  section.classList.add("history-view");
  const filters = createHistoryFilters(() => load());

  const bar = document.createElement("div");
  bar.className = "history-bar";
  const summary = document.createElement("p");
  summary.id = "history-summary";
  summary.className = "history-summary";
  summary.setAttribute("aria-live", "polite");
  const exportButton = document.createElement("button");
  exportButton.type = "button";
  exportButton.id = "history-export";
  exportButton.className = "history-export";
  bar.append(summary, exportButton);

  const exportStatus = document.createElement("div");
  exportStatus.id = "history-export-status";
  exportStatus.className = "history-export-status";
  exportStatus.setAttribute("aria-live", "polite");
  exportStatus.hidden = true;

  const error = document.createElement("div");
  error.id = "history-error";
  error.className = "history-error";
  error.setAttribute("role", "alert");
  error.hidden = true;

  const main = document.createElement("div");
  main.className = "history-main";
  const detail = document.createElement("aside");
  detail.id = "history-detail";
  detail.className = "history-detail";
  let picked: HistoryRow | null = null;
  // The code shown now, so a change of language re-words it (the DOM's copy is a plain string).
  let shownCode: IpcCode | null = null;
  const showError = (code: IpcCode | null, message = ""): void => {
    shownCode = code;
    error.hidden = code === null;
    if (code === null) {
      error.replaceChildren();
      return;
    }
    const text = document.createElement("p");
    text.className = "history-error-text";
    text.textContent = t(historyErrorKey(code));
    const details = document.createElement("p");
    details.className = "history-error-detail";
    details.textContent = message;
    error.dataset["code"] = code;
    error.replaceChildren(text, details);
  };
  const table = createHistoryTable({
    onSelect(row) {
      picked = row;
      renderDetail(detail, row, showError);
    },
    onNeedMore: () => void loadMore(),
  });
  main.append(table.element, detail);
  // Chart.js is most of this view's code: it loads with the first visit, not at app start.
  const chartSlot = document.createElement("div");
  chartSlot.className = "history-chart-slot";
  const chartsReady: Promise<HistoryCharts> = import("./charts").then(({ createHistoryCharts }) => {
    const created = createHistoryCharts();
    chartSlot.replaceWith(created.element);
    return created;
  });
  const charts = {
    loading: () => void chartsReady.then((c) => c.loading()),
    show: (...args: Parameters<HistoryCharts["show"]>) => void chartsReady.then((c) => c.show(...args)),
    relabel: () => void chartsReady.then((c) => c.relabel()),
  };
  // The auto-refresh's state: a line only while the governor holds it back.
  const autoNote = document.createElement("p");
  autoNote.id = "history-auto-refresh";
  autoNote.className = "history-auto-refresh";
  autoNote.setAttribute("role", "status");
  autoNote.hidden = true;
  section.append(filters.element, bar, autoNote, exportStatus, error, main, chartSlot);

  let generation = 0;
  let query: HistoryQuery = filters.query();
  let cursor: number | null = null;
  let loadingMore = false;
  let totals: { salesforce: number | null; local: number } | null = null;
  let state: "loading" | "ready" | "failed" = "loading";

  const renderSummary = (): void => {
    section.dataset["state"] = state;
    if (state === "loading") {
      summary.textContent = t("history.loading");
      return;
    }
    if (state === "failed" || totals === null) {
      summary.textContent = "";
      return;
    }
    if (table.rowCount === 0 && cursor === null) {
      summary.textContent = t("history.empty");
      return;
    }
    // The first page asks for one page only, so the total is known from the second page on.
    const shown = formatNumber(table.rowCount);
    summary.textContent =
      (totals.salesforce === null
        ? t("history.summaryOpen", { shown })
        : t("history.summary", { shown, total: formatNumber(Math.max(totals.salesforce + totals.local, table.rowCount)) })) +
      (loadingMore ? ` · ${t("history.loadingMore")}` : "");
    summary.dataset["total"] = totals.salesforce === null ? "" : String(totals.salesforce + totals.local);
  };

  const load = (): void => {
    const mine = ++generation;
    query = filters.query();
    cursor = null;
    loadingMore = false;
    state = "loading";
    showError(null);
    renderSummary();
    charts.loading();
    void historyFirstPage(query).then((outcome) => {
      if (mine !== generation) return;
      if (!outcome.ok) {
        state = "failed";
        table.reset([], false);
        showError(outcome.error.code, outcome.error.message);
        renderSummary();
        return;
      }
      accept(outcome.value, true);
    });
    void historyStats(query).then((outcome) => {
      if (mine !== generation) return;
      if (!outcome.ok) {
        showError(outcome.error.code, outcome.error.message);
        return;
      }
      filters.learn(outcome.value.stats);
      charts.show(outcome.value);
    });
  };

  let pages = 0;
  const accept = (page: HistoryPageView, first: boolean): void => {
    pages = first ? 1 : pages + 1;
    cursor = page.cursor;
    totals = { salesforce: page.total_in_salesforce, local: page.local_undelivered };
    state = "ready";
    if (first) table.reset(page.rows, cursor !== null);
    else table.append(page.rows, cursor !== null);
    renderSummary();
  };

  const loadMore = async (): Promise<void> => {
    if (loadingMore || cursor === null || state !== "ready") return;
    const mine = generation;
    loadingMore = true;
    renderSummary();
    const outcome = await historyNextPage(cursor);
    if (mine !== generation) return;
    loadingMore = false;
    if (!outcome.ok) {
      // The shell keeps the cursor after a failure: scrolling again retries.
      showError(outcome.error.code, outcome.error.message);
      if (outcome.error.code === "cursor_expired" || outcome.error.code === "org_changed") cursor = null;
      renderSummary();
      return;
    }
    showError(null);
    accept(outcome.value, false);
  };

  exportButton.addEventListener("click", () => {
    exportButton.disabled = true;
    exportButton.textContent = t("history.exporting");
    void exportHistoryCsv(query).then((outcome) => {
      exportButton.disabled = false;
      exportButton.textContent = t("history.export");
      if (!outcome.ok) {
        showError(outcome.error.code, outcome.error.message);
        return;
      }
      const { path, folder, rows } = outcome.value;
      const saved = document.createElement("p");
      saved.textContent = tCount("history.exported", rows);
      const where = document.createElement("code");
      where.id = "history-export-path";
      where.textContent = path;
      const hint = document.createElement("p");
      hint.className = "history-export-hint";
      hint.textContent = t("history.exportHint", { folder });
      exportStatus.replaceChildren(saved, where, hint);
      exportStatus.hidden = false;
      exportStatus.dataset["rows"] = String(rows);
    });
  });

  onLocaleChange(() => {
    exportButton.textContent = t("history.export");
    filters.relabel();
    table.relabel();
    charts.relabel();
    renderDetail(detail, picked, showError);
    renderSummary();
    if (!error.hidden && shownCode !== null) {
      const text = error.querySelector(".history-error-text");
      if (text) text.textContent = t(historyErrorKey(shownCode));
    }
  });
  exportButton.textContent = t("history.export");
  renderDetail(detail, null, showError);
  renderSummary();
  let loaded = false;

  // Auto-refresh: while the view is on screen and the agent is not reading further down or
  // looking at a call, the first page is read again. It is an optional request (one query),
  // so it asks the governor first and, near the org's allocation, pauses and says so.
  let autoPaused: Parameters<typeof t>[1] | null = null;
  const renderAutoNote = (): void => {
    autoNote.hidden = autoPaused === null;
    autoNote.dataset["state"] = autoPaused === null ? "running" : "paused";
    autoNote.textContent = autoPaused === null ? "" : t("history.autoRefreshPaused", autoPaused);
  };
  const autoRefresh = async (): Promise<void> => {
    const onScreen = section.isConnected && section.offsetParent !== null;
    if (!loaded || !onScreen || state !== "ready" || picked !== null || pages > 1 || loadingMore) return;
    const budget = await usageToday();
    // Without a budget (no usage file) nothing is known to hold back for, as in the governor.
    const figures = budget.ok && optionalPaused(budget.value) ? orgFigures(budget.value) : null;
    autoPaused = figures;
    renderAutoNote();
    if (figures === null) load();
  };
  window.setInterval(() => void autoRefresh(), HISTORY_AUTO_REFRESH_MS);
  onLocaleChange(renderAutoNote);
  return {
    refresh() {
      // The first visit loads; later visits keep the user's place and filters.
      if (!loaded) {
        loaded = true;
        load();
      }
    },
  };
}

/** How often the shown history reads its first page again (one Salesforce query). */
const HISTORY_AUTO_REFRESH_MS = 60_000;

let mounted: { refresh: () => void } | null = null;

export const historyView: View = {
  id: "history",
  label: "history.nav",
  mount(section) {
    mounted = mountHistory(section);
  },
  onShow() {
    mounted?.refresh();
  },
};
