// The history table, virtualised: rows have one fixed height, a spacer as tall as all loaded
// rows gives the scrollbar its size, and only the rows in view (plus a few either side) exist
// in the DOM, reused as the user scrolls. Near the end of what is loaded it asks for the next
// page. Tens of thousands of rows scroll like a few dozen.

import { bdi, t, type MessageKey } from "../../i18n";
import type { HistoryRow } from "./backend";
import { formatDateTime, formatDuration, otherParty } from "./format";

/** One row's height in CSS pixels: the spacer and the offsets are computed from it. */
export const ROW_HEIGHT = 32;
/** Rows drawn beyond each edge of the viewport, so a fast scroll shows no gap. */
const OVERSCAN = 8;
/** Ask for the next page when the last drawn row is this close to the end of what is loaded. */
const PREFETCH_ROWS = 100;

const COLUMNS: readonly { key: MessageKey; className: string }[] = [
  { key: "history.col.started", className: "col-started" },
  { key: "history.col.direction", className: "col-direction" },
  { key: "history.col.with", className: "col-with" },
  { key: "history.col.agent", className: "col-agent" },
  { key: "history.col.duration", className: "col-duration" },
  { key: "history.col.outcome", className: "col-outcome" },
  { key: "history.col.state", className: "col-state" },
];

export interface HistoryTable {
  readonly element: HTMLElement;
  /** Replaces every row (a new filter); `more`: further pages exist. */
  reset(rows: readonly HistoryRow[], more: boolean): void;
  /** Adds a page at the end. */
  append(rows: readonly HistoryRow[], more: boolean): void;
  /** Redraws with the current language. */
  relabel(): void;
  readonly rowCount: number;
}

export function createHistoryTable(options: {
  onSelect: (row: HistoryRow | null) => void;
  onNeedMore: () => void;
}): HistoryTable {
  // A WAI-ARIA grid: the header row and the drawn rows carry their place among all loaded
  // rows (aria-rowindex), so a screen reader counts the whole list, not the DOM.
  const element = document.createElement("div");
  element.id = "history-grid";
  element.className = "history-table";
  element.setAttribute("role", "grid");
  element.tabIndex = 0;

  const headerGroup = document.createElement("div");
  headerGroup.setAttribute("role", "rowgroup");
  const header = document.createElement("div");
  header.className = "history-row history-header";
  header.setAttribute("role", "row");
  header.setAttribute("aria-rowindex", "1");
  headerGroup.append(header);
  const headerCells = COLUMNS.map((column) => {
    const cell = document.createElement("span");
    cell.className = `history-cell ${column.className}`;
    cell.setAttribute("role", "columnheader");
    header.append(cell);
    return cell;
  });

  const viewport = document.createElement("div");
  viewport.id = "history-scroll";
  viewport.className = "history-scroll";
  viewport.style.setProperty("--row-height", `${ROW_HEIGHT}px`);
  const spacer = document.createElement("div");
  spacer.id = "history-spacer";
  spacer.className = "history-spacer";
  const body = document.createElement("div");
  body.id = "history-rows";
  body.className = "history-rows";
  body.setAttribute("role", "rowgroup");
  spacer.append(body);
  viewport.append(spacer);
  element.append(headerGroup, viewport);

  let rows: HistoryRow[] = [];
  let more = false;
  let selected = -1;
  let frame = 0;
  const pool: HTMLElement[] = [];

  const draw = (): void => {
    frame = 0;
    spacer.style.blockSize = `${rows.length * ROW_HEIGHT}px`;
    element.setAttribute("aria-rowcount", String(rows.length + 1));
    element.dataset["loaded"] = String(rows.length);
    const height = viewport.clientHeight || ROW_HEIGHT * 20;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const count = Math.max(0, last - first);
    while (pool.length < count) pool.push(createRow());
    body.replaceChildren(...pool.slice(0, count));
    body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    for (let i = 0; i < count; i++) {
      const index = first + i;
      const row = rows[index];
      const element = pool[i];
      if (row === undefined || element === undefined) continue;
      fillRow(element, row, index, index === selected);
    }
    if (more && last >= rows.length - PREFETCH_ROWS) options.onNeedMore();
  };
  const schedule = (): void => {
    if (frame === 0) frame = requestAnimationFrame(draw);
  };

  const select = (index: number): void => {
    if (index < 0 || index >= rows.length) return;
    selected = index;
    // Keep the picked row in view (keyboard moves).
    const top = index * ROW_HEIGHT;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight)
      viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
    draw();
    options.onSelect(rows[index] ?? null);
  };

  viewport.addEventListener("scroll", schedule, { passive: true });
  viewport.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>(".history-row[data-index]") : null;
    if (target) select(Number(target.dataset["index"]));
  });
  element.addEventListener("keydown", (event) => {
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 1);
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page }[event.key];
    if (step !== undefined) {
      event.preventDefault();
      select(Math.min(rows.length - 1, Math.max(0, (selected < 0 ? -1 : selected) + step)));
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      select(event.key === "Home" ? 0 : rows.length - 1);
    }
  });
  // The view may be hidden when rows arrive (0 height); draw again once it has a size.
  new ResizeObserver(schedule).observe(viewport);

  const relabel = (): void => {
    COLUMNS.forEach((column, i) => {
      const cell = headerCells[i];
      if (cell) cell.textContent = t(column.key);
    });
    element.setAttribute("aria-label", t("history.table"));
    // Cells are refilled with the new language's formats.
    for (const element of pool) element.dataset["index"] = "";
    draw();
  };
  relabel();

  return {
    element,
    reset(next, nextMore) {
      rows = [...next];
      more = nextMore;
      selected = -1;
      viewport.scrollTop = 0;
      for (const element of pool) element.dataset["index"] = "";
      options.onSelect(null);
      draw();
    },
    append(page, nextMore) {
      rows.push(...page);
      more = nextMore;
      schedule();
    },
    relabel,
    get rowCount() {
      return rows.length;
    },
  };
}

function createRow(): HTMLElement {
  const element = document.createElement("div");
  element.className = "history-row";
  element.setAttribute("role", "row");
  for (const column of COLUMNS) {
    const cell = document.createElement("span");
    cell.className = `history-cell ${column.className}`;
    cell.setAttribute("role", "gridcell");
    element.append(cell);
  }
  return element;
}

function fillRow(element: HTMLElement, row: HistoryRow, index: number, selected: boolean): void {
  element.setAttribute("aria-selected", String(selected));
  element.classList.toggle("selected", selected);
  const key = `${index}:${row.call_id}`;
  if (element.dataset["key"] === key && element.dataset["index"] === String(index)) return;
  element.dataset["index"] = String(index);
  element.dataset["key"] = key;
  element.dataset["delivery"] = row.delivery;
  // Row 1 is the header.
  element.setAttribute("aria-rowindex", String(index + 2));
  const cells = element.children;
  // `isolated`: a value (a name or a number) rather than app text, laid out by its own direction.
  const set = (i: number, text: string, title = text, isolated = false): void => {
    const cell = cells[i];
    if (cell) {
      if (isolated) cell.replaceChildren(bdi(text));
      else cell.textContent = text;
      cell.setAttribute("title", title);
    }
  };
  set(0, formatDateTime(row.started_at_ms));
  set(
    1,
    row.direction === "inbound" ? "↓" : row.direction === "outbound" ? "↑" : "·",
    row.direction === "inbound" ? t("history.inbound") : row.direction === "outbound" ? t("history.outbound") : "",
  );
  const party = otherParty(row);
  set(2, party ?? t("history.unknownCaller"), undefined, party !== null);
  const agent = row.owner?.name ?? row.owner?.id ?? "";
  set(3, agent, agent, true);
  set(4, formatDuration(row.duration_seconds));
  set(5, row.disposition ?? "");
  set(
    6,
    row.delivery === "delivered"
      ? ""
      : t(
          row.delivery === "dead"
            ? "history.state.dead"
            : row.held_for_allowance
              ? "history.state.allowance"
              : "history.state.pending",
        ),
  );
}
