// The team lead's charts, drawn with Chart.js from the numbers ringside-core computes
// (`HistoryStats`): calls per hour of the day and per day, the outcome breakdown, and talk time
// per agent; above them the headline tiles. Only the Chart.js parts used are registered, so
// the bundle stays small. Chart.js draws on <canvas> and sets sizes through the CSSOM, which
// the app's CSP (no inline styles, no eval) allows.

import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { currentLocale, t, textDirection } from "../../i18n";
import type { HistoryStats, HistoryStatsView } from "./backend";
import { formatDay, formatDuration, formatNumber } from "./format";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);
// The page's font stack (with its CJK and Arabic fallbacks) for labels drawn on the canvas.
const pageFont = getComputedStyle(document.documentElement).fontFamily;
if (pageFont !== "") Chart.defaults.font.family = pageFont;

const PALETTE = ["#0f766e", "#2563eb", "#d97706", "#7c3aed", "#dc2626", "#059669", "#db2777", "#475569"];

type ChartId = "per-hour" | "per-day" | "outcomes" | "agents";

export interface HistoryCharts {
  readonly element: HTMLElement;
  /** Shows "computing…" while the numbers for a new filter are on their way. */
  loading(): void;
  show(view: HistoryStatsView): void;
  /** Redraws in the current language and direction. */
  relabel(): void;
}

export function createHistoryCharts(): HistoryCharts {
  const element = document.createElement("section");
  element.id = "history-charts";
  element.className = "history-charts";
  const heading = document.createElement("h3");
  heading.className = "history-charts-title";
  const note = document.createElement("p");
  note.id = "history-charts-note";
  note.className = "history-charts-note";
  const tiles = document.createElement("div");
  tiles.className = "history-tiles";
  const grid = document.createElement("div");
  grid.className = "history-chart-grid";
  const agentTable = document.createElement("table");
  agentTable.id = "history-agent-table";
  agentTable.className = "history-agent-table";
  element.append(heading, note, tiles, grid, agentTable);

  const canvases = new Map<ChartId, { figure: HTMLElement; caption: HTMLElement; canvas: HTMLCanvasElement }>();
  for (const id of ["per-hour", "per-day", "outcomes", "agents"] as const) {
    const figure = document.createElement("figure");
    figure.className = `history-chart chart-${id}`;
    const caption = document.createElement("figcaption");
    const box = document.createElement("div");
    box.className = "history-chart-box";
    const canvas = document.createElement("canvas");
    canvas.id = `history-chart-${id}`;
    canvas.setAttribute("role", "img");
    box.append(canvas);
    figure.append(caption, box);
    grid.append(figure);
    canvases.set(id, { figure, caption, canvas });
  }
  const charts = new Map<ChartId, Chart>();
  let current: HistoryStatsView | null = null;

  const draw = (): void => {
    heading.textContent = t("history.charts");
    const captions: Record<ChartId, string> = {
      "per-hour": t("history.chart.perHour"),
      "per-day": t("history.chart.perDay"),
      outcomes: t("history.chart.outcomes"),
      agents: t("history.chart.agents"),
    };
    for (const [id, parts] of canvases) {
      parts.caption.textContent = captions[id];
      parts.canvas.setAttribute("aria-label", captions[id]);
    }
    if (current === null) return;
    const view = current;
    const stats = view.stats;
    note.textContent = view.capped
      ? t("history.chartsCapped", { cap: formatNumber(view.cap) })
      : "";
    note.hidden = !view.capped;
    element.dataset["capped"] = String(view.capped);
    renderTiles(tiles, stats);
    renderAgentTable(agentTable, stats);
    const configs: Record<ChartId, ChartConfiguration> = {
      "per-hour": barChart(
        stats.per_hour.map((_, hour) => new Intl.NumberFormat(currentLocale(), { minimumIntegerDigits: 2 }).format(hour)),
        [{ label: t("history.chart.calls"), data: stats.per_hour, color: PALETTE[0] }],
      ),
      "per-day": barChart(
        stats.per_day.map((d) => formatDay(d.day)),
        [{ label: t("history.chart.calls"), data: stats.per_day.map((d) => d.calls), color: PALETTE[1] }],
      ),
      outcomes: doughnut(
        stats.outcomes.map((o) => o.disposition ?? t("history.noOutcome")),
        stats.outcomes.map((o) => o.calls),
      ),
      agents: barChart(
        stats.per_agent.map((a) => a.name ?? a.owner_id ?? t("history.unknownAgent")),
        [
          {
            label: t("history.chart.average"),
            data: stats.per_agent.map((a) => round1(a.average_duration_seconds / 60)),
            color: PALETTE[0],
          },
          {
            label: t("history.chart.longest"),
            data: stats.per_agent.map((a) => round1(a.longest_duration_seconds / 60)),
            color: PALETTE[2],
          },
        ],
        // Agents' names read better along the side than under narrow bars.
        true,
      ),
    };
    for (const [id, config] of Object.entries(configs) as [ChartId, ChartConfiguration][]) {
      charts.get(id)?.destroy();
      const parts = canvases.get(id);
      if (parts) charts.set(id, new Chart(parts.canvas, config));
    }
    element.dataset["state"] = "ready";
  };

  return {
    element,
    loading() {
      element.dataset["state"] = "loading";
      note.hidden = false;
      note.textContent = t("history.chartsLoading");
    },
    show(view) {
      current = view;
      draw();
    },
    relabel: draw,
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Options every chart shares: the language's numbers, right-to-left legends, no animation. */
function common(): Pick<ChartConfiguration, "options">["options"] & object {
  const rtl = textDirection(currentLocale()) === "rtl";
  return {
    locale: currentLocale(),
    responsive: true,
    maintainAspectRatio: false,
    // Redraws follow filters and language switches: no animation to wait for.
    animation: false,
    plugins: {
      legend: { rtl, textDirection: rtl ? "rtl" : "ltr" },
      tooltip: { rtl, textDirection: rtl ? "rtl" : "ltr" },
    },
  };
}

function barChart(
  labels: string[],
  series: { label: string; data: number[]; color: string | undefined }[],
  horizontal = false,
): ChartConfiguration {
  const rtl = textDirection(currentLocale()) === "rtl";
  const base = common();
  // Categories read from the start edge (time left to right, or right to left in Arabic);
  // values grow from the start edge too.
  const categories = horizontal
    ? { position: rtl ? ("right" as const) : ("left" as const), ticks: { autoSkip: false } }
    : { reverse: rtl, ticks: { autoSkip: true, maxRotation: 0 } };
  const values = horizontal
    ? { beginAtZero: true, reverse: rtl }
    : { beginAtZero: true, position: rtl ? ("right" as const) : ("left" as const), ticks: { precision: 0 } };
  return {
    type: "bar",
    data: {
      labels,
      datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color ?? PALETTE[0] })),
    },
    options: {
      ...base,
      indexAxis: horizontal ? "y" : "x",
      plugins: { ...base.plugins, legend: { ...base.plugins?.legend, display: series.length > 1 } },
      scales: horizontal ? { x: values, y: categories } : { x: categories, y: values },
    },
  };
}

function doughnut(labels: string[], data: number[]): ChartConfiguration {
  const base = common();
  return {
    type: "doughnut",
    data: { labels, datasets: [{ data, backgroundColor: labels.map((_, i) => PALETTE[i % PALETTE.length] ?? "#0f766e") }] },
    options: {
      ...base,
      plugins: { ...base.plugins, legend: { ...base.plugins?.legend, position: "right" } },
    },
  };
}

function renderTiles(root: HTMLElement, stats: HistoryStats): void {
  const tile = (id: string, label: string, value: string, sub = ""): HTMLElement => {
    const box = document.createElement("div");
    box.className = "history-tile";
    box.id = `history-tile-${id}`;
    const v = document.createElement("span");
    v.className = "history-tile-value";
    v.textContent = value;
    const l = document.createElement("span");
    l.className = "history-tile-label";
    l.textContent = label;
    box.append(v, l);
    if (sub !== "") {
      const s = document.createElement("span");
      s.className = "history-tile-sub";
      s.textContent = sub;
      box.append(s);
    }
    return box;
  };
  root.replaceChildren(
    tile("calls", t("history.tile.calls"), formatNumber(stats.calls)),
    tile("average", t("history.tile.average"), formatDuration(stats.average_duration_seconds)),
    tile(
      "longest",
      t("history.tile.longest"),
      stats.longest ? formatDuration(stats.longest.duration_seconds) : "–",
      stats.longest?.owner_name ?? "",
    ),
    tile(
      "undelivered",
      t("history.tile.undelivered"),
      formatNumber(stats.pending + stats.dead),
      t("history.undelivered", { pending: formatNumber(stats.pending), dead: formatNumber(stats.dead) }),
    ),
  );
}

function renderAgentTable(table: HTMLTableElement, stats: HistoryStats): void {
  const caption = document.createElement("caption");
  caption.textContent = t("history.agentTable");
  const head = document.createElement("tr");
  for (const key of ["history.col.agent", "history.chart.calls", "history.chart.average", "history.chart.longest"] as const) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = t(key);
    head.append(th);
  }
  const rows = stats.per_agent.map((agent) => {
    const tr = document.createElement("tr");
    const cells = [
      agent.name ?? agent.owner_id ?? t("history.unknownAgent"),
      formatNumber(agent.calls),
      formatDuration(agent.average_duration_seconds),
      formatDuration(agent.longest_duration_seconds),
    ];
    cells.forEach((text, i) => {
      const td = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) td.setAttribute("scope", "row");
      td.textContent = text;
      tr.append(td);
    });
    return tr;
  });
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  tbody.append(...rows);
  table.replaceChildren(caption, thead, tbody);
}
