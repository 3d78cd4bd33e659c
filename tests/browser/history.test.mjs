// The history view in Chromium with Tauri IPC mocked: filters sent as the shell expects them,
// a virtualised table (10,000 calls, only a few dozen rows in the DOM, the next page asked for
// near the end), the detail panel (notes, recording, related record, a dead letter's error),
// the charts drawn on canvases, the CSV export's message, errors in words, and Arabic RTL.
// Expected texts come from the catalogs, so these check wiring, not copy.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fill, ipcMockScript, launchBrowser, serveDist } from "./harness.mjs";

const TOTAL = 10_000;
const PAGE = 500;
const ROW_HEIGHT = 32; // ui/src/features/history/table.ts

const catalogFile = (locale) => fileURLToPath(new URL(`../../ui/src/features/history/locales/${locale}.json`, import.meta.url));
const catalog = async (locale) => JSON.parse(await readFile(catalogFile(locale), "utf8"));

const STATS = {
  calls: TOTAL,
  pending: 2,
  dead: 1,
  per_hour: Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 19 ? 700 : 50)),
  per_day: [
    { day: "2026-10-18", calls: 4000 },
    { day: "2026-10-19", calls: 6000 },
  ],
  outcomes: [
    { disposition: "Connected", calls: 6000 },
    { disposition: "Missed", calls: 3000 },
    { disposition: null, calls: 1000 },
  ],
  average_duration_seconds: 185.5,
  longest: { call_id: "c-42", duration_seconds: 3725, owner_name: "Ayşe Yılmaz" },
  per_agent: [
    { owner_id: "005000000000001AAA", name: "Ayşe Yılmaz", calls: 6000, talked: 5000, total_duration_seconds: 900000, average_duration_seconds: 180, longest_duration_seconds: 3725 },
    { owner_id: "005000000000002AAA", name: "山田 太郎", calls: 4000, talked: 3000, total_duration_seconds: 570000, average_duration_seconds: 190, longest_duration_seconds: 1800 },
  ],
};

// The agent's day: two missed calls (one already called back), an answered one, the call back.
const at = (h, m) => Date.UTC(2026, 10, 22, h, m);
const dayCall = (id, ms, direction, from, to, disposition, seconds, name) => ({
  call_id: id, started_at: new Date(ms).toISOString(), started_at_ms: ms, direction, from, to,
  duration_seconds: seconds, disposition, subject: null, notes: null, summary: null, key_topics: [], memo: [], recording_url: null,
  matched: name ? { object: "Contact", id: "003000000000001AAA", name } : null,
  owner: { id: "005000000000000AAA", name: "Demo User" }, delivery: "delivered", delivery_error: null,
  call_log_id: null, task_id: null,
});
const MISSED_OPEN = dayCall("d-3", at(11, 5), "inbound", "+81 3 1234 5678", "+1 415 555 0100", "Missed", 0, "山田 太郎");
const MISSED_DONE = dayCall("d-1", at(9, 0), "inbound", "+1 415 555 0123", "+1 415 555 0100", "Missed", 0, "Jane Caller");
const DAY = {
  agent_id: "005000000000000AAA",
  calls: [
    MISSED_OPEN,
    dayCall("d-2", at(10, 0), "outbound", "+1 415 555 0100", "(415) 555-0123", "Connected", 125, "Jane Caller"),
    MISSED_DONE,
  ],
  missed: [
    { call: MISSED_OPEN, number: "+81 3 1234 5678", called_back: false },
    { call: MISSED_DONE, number: "+1 415 555 0123", called_back: true },
  ],
  limit_reached: false,
};

let server;
let browser;
let en;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  en = await catalog("en");
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Opens the app with the history commands answered from 10,000 generated calls (pages of 500,
 * cursor = page number). `scenario.firstError` / `scenario.statsError` make those fail;
 * `scenario.capped` marks the stats as capped. Calls are recorded in `window.__historyCalls`.
 */
async function openHistory(scenario = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(new Error(message.text()));
  });
  await page.addInitScript({ content: await ipcMockScript({ result: null }) });
  await page.addInitScript({
    content: `(() => {
      const scenario = ${JSON.stringify({ ...scenario, TOTAL, PAGE, STATS, DAY })};
      window.__historyCalls = [];
      // Each test starts in English (the profile is shared, and the Arabic test switches).
      localStorage.removeItem("ringside.locale");
      let query = {};
      const BASE = Date.UTC(2026, 9, 19, 18, 0, 0);
      const row = (i) => {
        const direction = query.direction ?? (i % 2 === 0 ? "inbound" : "outbound");
        return {
          call_id: "c-" + i,
          started_at: new Date(BASE - i * 60000).toISOString(),
          started_at_ms: BASE - i * 60000,
          direction,
          from: direction === "inbound" ? "+81 3 1234 " + String(i).padStart(4, "0") : "+1 415 555 0100",
          to: direction === "inbound" ? "+1 415 555 0100" : "+966 11 555 " + String(i).padStart(4, "0"),
          duration_seconds: i % 600,
          disposition: ["Connected", "Missed", "Left voicemail"][i % 3],
          subject: "Call " + i,
          notes: i === 3 ? "折り返し電話を希望。\\nيرغب العميل في عرض سعر" : null,
          summary: i === 3 ? "Caller discussed pricing." : null,
          key_topics: i === 3 ? ["Pricing", "見積もり"] : [],
          memo: i === 3 ? ["Demo requested", "Budget confirmed"] : [],
          recording_url: i === 3 ? "https://recordings.example.com/c-3.mp3" : null,
          matched: i % 10 === 9 ? null : { object: i % 3 === 1 ? "Lead" : "Contact", id: "003000000000" + String(i).padStart(4, "0") + "AA", name: "Caller " + i },
          owner: { id: i % 2 ? "005000000000001AAA" : "005000000000002AAA", name: i % 2 ? "Ayşe Yılmaz" : "山田 太郎" },
          delivery: i === 5 ? "dead" : i === 7 ? "pending" : "delivered",
          delivery_error: i === 5 ? "REQUIRED_FIELD_MISSING: Subject is required" : null,
          call_log_id: null,
          task_id: null,
        };
      };
      const page = (n) => {
        const rows = [];
        for (let i = n * scenario.PAGE; i < Math.min(scenario.TOTAL, (n + 1) * scenario.PAGE); i++) rows.push(row(i));
        return {
          rows,
          cursor: (n + 1) * scenario.PAGE < scenario.TOTAL ? n + 1 : null,
          // Like the shell: a full first page does not know the total yet.
          total_in_salesforce: n === 0 ? null : scenario.TOTAL - 3,
          local_undelivered: 3,
          queue_problem: null,
        };
      };
      const handlers = {
        history_first_page: (args) => {
          query = args.query;
          if (scenario.firstError) throw scenario.firstError;
          return page(0);
        },
        history_next_page: (args) => page(args.cursor),
        history_stats: () => {
          if (scenario.statsError) throw scenario.statsError;
          return { stats: scenario.STATS, capped: !!scenario.capped, cap: 20000 };
        },
        export_history_csv: () => ({
          path: "/home/ayse/Downloads/ringside-history-2026-11-22.csv",
          folder: "/home/ayse/Downloads",
          rows: 9999,
        }),
        open_recording: () => null,
        open_in_salesforce: (args) => "http://127.0.0.1:1/lightning/r/Contact/" + args.recordId + "/view",
        agent_day: () => scenario.DAY,
        call_back: (args) => {
          if (scenario.callBackError) throw scenario.callBackError;
          const uri = "tel:" + args.number.replace(/[^+0-9]/g, "");
          if (scenario.callBackVia === "baresip") return { via: "baresip", uri, fallback: null };
          if (scenario.callBackVia === "fallback") return { via: "tel", uri, fallback: "baresip is not connected: start baresip with ctrl_tcp" };
          return { via: "tel", uri, fallback: null };
        },
      };
      const fallback = window.__TAURI_INTERNALS__.invoke;
      window.__tauriMocks.mockIPC(async (cmd, args) => {
        if (!(cmd in handlers)) return fallback(cmd, args);
        window.__historyCalls.push({ cmd, args });
        return handlers[cmd](args);
      });
    })();`,
  });
  await page.goto(server.url);
  await page.waitForSelector("#nav-history");
  await page.click(`#nav-${scenario.tab ?? "history"}`);
  return { page, errors };
}

const calls = (page, cmd) => page.evaluate((c) => window.__historyCalls.filter((call) => call.cmd === c), cmd);
const domRows = (page) => page.locator("#history-rows .history-row").count();

test("opening History loads the first page only: a few dozen DOM rows for 500 loaded of 10,000", async () => {
  const { page, errors } = await openHistory();
  await page.waitForSelector('#view-history[data-state="ready"]');
  const first = await calls(page, "history_first_page");
  assert.equal(first.length, 1, "one first-page request when the view opens");
  assert.deepEqual(
    first[0].args.query,
    { since: null, until: null, agent: null, direction: null, disposition: null, matched_object: null },
    "no filter set: every field is sent as null, the shape HistoryQuery expects",
  );
  assert.equal(await page.getAttribute("#history-grid", "data-loaded"), String(PAGE), "the grid knows how many rows are loaded");
  assert.equal(await page.getAttribute("#history-grid", "aria-rowcount"), String(PAGE + 1), "assistive tech hears every loaded row plus the header, not just the DOM's");
  const shown = await domRows(page);
  assert.ok(shown > 10 && shown < 60, `only the rows in view (plus overscan) exist in the DOM; got ${shown}`);
  assert.equal(
    await page.textContent("#history-summary"),
    fill(en["history.summaryOpen"], { shown: "500" }),
    "after the first page the total is not known yet: the summary says more follow",
  );
  const spacer = await page.evaluate(() => document.getElementById("history-spacer").getBoundingClientRect().height);
  assert.equal(spacer, PAGE * ROW_HEIGHT, "the spacer is as tall as every loaded row");
  assert.deepEqual(errors, [], "no script or console errors");
  await page.close();
});

test("scrolling near the end of what is loaded asks for the next page; the DOM stays small all the way down", async () => {
  const { page, errors } = await openHistory();
  await page.waitForSelector('#view-history[data-state="ready"]');
  for (let loaded = PAGE; loaded < TOTAL; loaded += PAGE) {
    await page.evaluate(() => {
      const scroll = document.getElementById("history-scroll");
      scroll.scrollTop = scroll.scrollHeight;
    });
    await page.waitForFunction((n) => document.getElementById("history-grid").dataset.loaded === String(n), loaded + PAGE);
  }
  assert.equal(
    await page.textContent("#history-summary"),
    fill(en["history.summary"], { shown: "10,000", total: "10,000" }),
    "from the second page on, loaded rows are counted against Salesforce's total plus the local queue",
  );
  const next = await calls(page, "history_next_page");
  assert.deepEqual(
    next.map((c) => c.args.cursor),
    Array.from({ length: TOTAL / PAGE - 1 }, (_, i) => i + 1),
    "each page is asked for once, with the cursor the previous page returned",
  );
  const shown = await domRows(page);
  assert.ok(shown < 60, `10,000 rows loaded, still only a few dozen in the DOM; got ${shown}`);
  await page.evaluate(() => {
    const scroll = document.getElementById("history-scroll");
    scroll.scrollTop = scroll.scrollHeight;
  });
  await page.waitForTimeout(100);
  assert.equal((await calls(page, "history_next_page")).length, TOTAL / PAGE - 1, "at the end (cursor null) nothing more is asked");
  // Jump to the middle: the rows drawn are the ones at that offset.
  await page.evaluate((h) => {
    document.getElementById("history-scroll").scrollTop = 5000 * h;
  }, ROW_HEIGHT);
  await page.waitForFunction(() => [...document.querySelectorAll("#history-rows .history-row")].some((r) => r.dataset.index === "5000"));
  const visible = await page.evaluate(() => {
    const scroll = document.getElementById("history-scroll").getBoundingClientRect();
    const row = [...document.querySelectorAll("#history-rows .history-row")].find((r) => r.dataset.index === "5000");
    return {
      top: row.getBoundingClientRect().top - scroll.top,
      with: row.querySelector(".col-with").textContent,
      rowIndex: row.getAttribute("aria-rowindex"),
    };
  });
  assert.equal(visible.rowIndex, "5002", "its place among all rows: after the header, the 5,001st");
  assert.ok(Math.abs(visible.top) < 2, `row 5000 sits at the top of the viewport after scrolling to it; offset ${visible.top}`);
  assert.equal(visible.with, "Caller 5000", "the drawn row shows call 5000's data, not a stale recycled row");
  assert.deepEqual(errors, [], "no script or console errors");
  await page.close();
});

test("filters are sent as HistoryQuery: direction, outcome, matched object, agent and local dates", async () => {
  const { page } = await openHistory();
  await page.waitForSelector('#view-history[data-state="ready"]');
  // Agents are offered from the charts' numbers.
  await page.waitForSelector('#history-agent option[value="005000000000001AAA"]', { state: "attached" });
  await page.selectOption("#history-direction", "inbound");
  await page.waitForFunction(() => window.__historyCalls.filter((c) => c.cmd === "history_first_page").length === 2);
  let last = (await calls(page, "history_first_page")).at(-1).args.query;
  assert.equal(last.direction, "inbound", "picking Inbound applies at once");
  await page.waitForSelector('#view-history[data-state="ready"]');
  const directions = await page.$$eval("#history-rows .col-direction", (cells) => [...new Set(cells.map((c) => c.title))]);
  assert.deepEqual(directions, [en["history.inbound"]], "the table shows what the filtered page returned: inbound calls only");

  await page.selectOption("#history-object", "Lead");
  await page.selectOption("#history-agent", "005000000000001AAA");
  await page.fill("#history-disposition", "Left voicemail");
  await page.press("#history-disposition", "Enter");
  await page.fill("#history-since", "2026-10-01");
  await page.fill("#history-until", "2026-10-19");
  await page.dispatchEvent("#history-until", "change");
  last = (await calls(page, "history_first_page")).at(-1).args.query;
  assert.equal(last.matched_object, "Lead");
  assert.equal(last.agent, "005000000000001AAA");
  assert.equal(last.disposition, "Left voicemail");
  assert.match(last.since, /^2026-10-01T00:00:00[+-]\d\d:\d\d$/, "From is the local midnight with its offset");
  assert.match(last.until, /^2026-10-20T00:00:00[+-]\d\d:\d\d$/, "To includes its whole day: it ends at the next local midnight");
  const stats = await calls(page, "history_stats");
  assert.deepEqual(stats.at(-1).args.query, last, "the charts are computed for the same filter as the table");
  assert.equal(typeof stats.at(-1).args.utcOffsetMinutes, "number", "hours and days are read in the user's time zone");
  assert.equal(
    stats.at(-1).args.timeZone,
    await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
    "the IANA zone goes along, so each call's hour uses the offset of its own date (DST)",
  );

  await page.click("#history-clear");
  last = (await calls(page, "history_first_page")).at(-1).args.query;
  assert.ok(Object.values(last).every((v) => v === null), `Clear resets every filter; got ${JSON.stringify(last)}`);
  await page.close();
});

test("picking a call shows its notes, recording, related record; a dead letter shows its error", async () => {
  const { page, errors } = await openHistory();
  await page.waitForSelector('#view-history[data-state="ready"]');
  assert.equal(await page.textContent("#history-detail"), en["history.detailEmpty"], "before a pick the panel says what to do");
  await page.click('#history-rows .history-row[data-index="3"]');
  await page.waitForSelector('#history-detail[data-call-id="c-3"]');
  assert.match(await page.textContent("#history-detail .detail-notes"), /折り返し電話を希望。\s*يرغب العميل في عرض سعر/, "notes show as written, in any script");
  assert.equal(await page.textContent("#history-detail .detail-summary"), "Caller discussed pricing.");
  assert.equal(await page.textContent("#history-detail .detail-key-topics"), "Pricing, 見積もり", "the call's key topics are in the detail panel");
  assert.equal(await page.textContent("#history-detail .detail-memo"), "Demo requested, Budget confirmed", "the call's memo values are in the detail panel");
  assert.equal(await page.evaluate(() => document.querySelector("#history-detail .detail-memo")?.previousElementSibling?.textContent), en["history.field.memo"], "under its own label");
  assert.equal(await page.textContent("#history-detail .detail-related-name"), " Caller 3 ", "the related record's name is shown");
  await page.click("#history-detail .history-recording");
  await page.waitForFunction(() => window.__historyCalls.some((c) => c.cmd === "open_recording"));
  assert.equal((await calls(page, "open_recording"))[0].args.url, "https://recordings.example.com/c-3.mp3", "the recording opens through the shell, not by navigating the app window");

  // Keyboard: arrow down twice from c-3 reaches the dead letter c-5.
  await page.focus("#history-grid");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector('#history-detail[data-call-id="c-5"]');
  assert.equal(await page.textContent("#history-detail .detail-delivery"), en["history.state.dead"]);
  assert.equal(await page.textContent("#history-detail .detail-error"), "REQUIRED_FIELD_MISSING: Subject is required", "the team lead sees why it failed");
  assert.equal(await page.textContent("#history-detail .history-delivery-hint"), en["history.deadHint"], "and what to do about it");
  assert.equal(await page.textContent('#history-rows .history-row[data-index="5"] .col-state'), en["history.state.dead"], "the table marks it too");
  assert.equal(await page.textContent('#history-rows .history-row[data-index="7"] .col-state'), en["history.state.pending"], "a queued call is marked pending");
  assert.deepEqual(errors, [], "no script or console errors");
  await page.close();
});

test("the charts are drawn on canvases with the stats' numbers; a capped history says so", async () => {
  const { page, errors } = await openHistory({ capped: true });
  await page.waitForSelector('#history-charts[data-state="ready"]');
  for (const id of ["per-hour", "per-day", "outcomes", "agents"]) {
    const drawn = await page.evaluate((canvasId) => {
      const canvas = document.getElementById(canvasId);
      const { width, height } = canvas;
      const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
      return { width, height, painted };
    }, `history-chart-${id}`);
    assert.ok(drawn.width > 100 && drawn.height > 100, `${id}: the canvas has a real size; got ${JSON.stringify(drawn)}`);
    assert.ok(drawn.painted > 500, `${id}: Chart.js painted on the canvas; got ${drawn.painted} painted pixels`);
  }
  assert.equal(await page.textContent("#history-tile-calls .history-tile-value"), "10,000", "numbers in the language's format");
  assert.equal(await page.textContent("#history-tile-average .history-tile-value"), "3:06", "average talk time 185.5 s as m:ss");
  assert.equal(await page.textContent("#history-tile-longest .history-tile-value"), "1:02:05", "longest call 3725 s as h:mm:ss");
  assert.equal(await page.textContent("#history-tile-longest .history-tile-sub"), "Ayşe Yılmaz", "with the agent who had it");
  const agents = await page.$$eval("#history-agent-table tbody th", (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(agents, ["Ayşe Yılmaz", "山田 太郎"], "calls per agent, most first");
  assert.equal(
    await page.textContent("#history-charts-note"),
    fill(en["history.chartsCapped"], { cap: "20,000" }),
    "capped stats are said to be capped",
  );
  assert.deepEqual(errors, [], "no script or console errors");
  await page.close();
});

test("Export CSV sends the current filter and shows where the file went", async () => {
  const { page } = await openHistory();
  await page.waitForSelector('#view-history[data-state="ready"]');
  await page.selectOption("#history-direction", "outbound");
  await page.click("#history-export");
  await page.waitForSelector("#history-export-status:not([hidden])");
  const exported = await calls(page, "export_history_csv");
  assert.equal(exported.length, 1);
  assert.equal(exported[0].args.query.direction, "outbound", "the export is of what the view shows");
  assert.equal(await page.textContent("#history-export-path"), "/home/ayse/Downloads/ringside-history-2026-11-22.csv");
  assert.match(await page.textContent("#history-export-status"), /9,999/, "the number of calls written, formatted");
  assert.match(await page.textContent("#history-export-status .history-export-hint"), /\/home\/ayse\/Downloads/, "with the folder to open");
  await page.close();
});

test("a failed first page shows the error in words with the shell's detail", async () => {
  const { page } = await openHistory({
    firstError: { code: "salesforce_unreachable", message: "Salesforce did not return the call history: connection refused" },
  });
  await page.waitForSelector('#view-history[data-state="failed"]');
  assert.equal(await page.textContent("#history-error .history-error-text"), en["history.error.salesforce_unreachable"]);
  assert.match(await page.textContent("#history-error .history-error-detail"), /connection refused/);
  assert.equal(await domRows(page), 0, "no rows from an earlier filter stay on screen");
  await page.close();
});

test("in Arabic the history is right to left, from the Arabic catalog, with Arabic numerals", async () => {
  const ar = await catalog("ar");
  const { page, errors } = await openHistory();
  await page.waitForSelector('#history-charts[data-state="ready"]');
  await page.selectOption("#language-select", "ar");
  assert.equal(await page.evaluate(() => document.documentElement.dir), "rtl");
  assert.equal(await page.textContent("#nav-history"), ar["history.nav"], "the tab label is Arabic");
  assert.equal(await page.textContent(".history-header .col-started"), ar["history.col.started"], "column headers are Arabic");
  assert.equal(
    await page.textContent("#history-tile-calls .history-tile-value"),
    new Intl.NumberFormat("ar").format(10000),
    "numbers use the Arabic locale's digits",
  );
  const layout = await page.evaluate(() => {
    const header = document.querySelector(".history-header");
    const first = header.querySelector(".col-started").getBoundingClientRect();
    const last = header.querySelector(".col-state").getBoundingClientRect();
    return { startRight: first.right, stateRight: last.right };
  });
  assert.ok(layout.startRight > layout.stateRight, "the first column (Started) is at the right edge in RTL");
  assert.deepEqual(errors, [], "charts redraw in RTL without errors");
  await page.close();
});

test("Open in Salesforce on a call's related record asks the shell with the record id", async () => {
  const { page } = await openHistory();
  await page.waitForSelector('#view-history[data-state="ready"]');
  await page.click('#history-rows .history-row[data-index="3"]');
  await page.click("#history-detail .history-open-record");
  await page.waitForFunction(() => window.__historyCalls.some((c) => c.cmd === "open_in_salesforce"));
  assert.equal((await calls(page, "open_in_salesforce"))[0].args.recordId, "0030000000000003AA", "the matched record's id, the URL is built in Rust");
  await page.close();
});

test("My day lists today's calls, the missed ones first, and Call back hands the number to the shell", async () => {
  const today = JSON.parse(await readFile(fileURLToPath(new URL("../../ui/src/features/today/locales/en.json", import.meta.url)), "utf8"));
  const { page, errors } = await openHistory({ tab: "today" });
  await page.waitForSelector('#view-today[data-state="ready"]');
  const since = (await calls(page, "agent_day"))[0].args.since;
  assert.match(since, /^\d{4}-\d\d-\d\dT00:00:00[+-]\d\d:\d\d$/, "the day starts at local midnight, sent with its offset");
  assert.equal(await page.locator("#today-calls .today-call").count(), 3, "every call of the day is listed");
  assert.equal(await page.textContent("#today-tile-missed .history-tile-value"), "1", "one missed call is still open");
  assert.equal(await page.textContent("#today-tile-talk .history-tile-value"), "2:05", "talk time adds up the day");
  const done = page.locator('#today-missed .missed-call[data-call-id="d-1"]');
  assert.equal(await done.getAttribute("data-called-back"), "true");
  assert.equal(await done.locator(".missed-done").textContent(), today["today.calledBack"], "a missed call already returned says so");
  await page.click('#today-missed .missed-call[data-call-id="d-3"] .call-back');
  await page.waitForFunction(() => window.__historyCalls.some((c) => c.cmd === "call_back"));
  assert.equal((await calls(page, "call_back"))[0].args.number, "+81 3 1234 5678", "one click calls the caller's number back");
  assert.equal(await page.textContent("#today-status .today-note"), fill(today["today.calling"], { number: "+81 3 1234 5678" }));
  assert.deepEqual(errors, [], "no script or console errors");
  await page.close();
});

test("Call back through baresip says so; baresip configured but not connected says tel: took over", async () => {
  const today = JSON.parse(await readFile(fileURLToPath(new URL("../../ui/src/features/today/locales/en.json", import.meta.url)), "utf8"));
  for (const [via, key] of [["baresip", "today.callingBaresip"], ["fallback", "today.callingTelFallback"]]) {
    const { page, errors } = await openHistory({ tab: "today", callBackVia: via });
    await page.waitForSelector('#view-today[data-state="ready"]');
    await page.click('#today-missed .missed-call[data-call-id="d-3"] .call-back');
    await page.waitForSelector("#today-status .today-note");
    assert.equal(
      await page.textContent("#today-status .today-note"),
      fill(today[key], { number: "+81 3 1234 5678" }),
      `the note names the path used (${via})`,
    );
    if (via === "fallback") {
      assert.match(await page.textContent("#today-status .history-error-detail"), /not connected/, "and why baresip was not used");
    }
    assert.deepEqual(errors, [], "no script or console errors");
    await page.close();
  }
});

test("A dial baresip refused is an error with baresip's reason", async () => {
  const today = JSON.parse(await readFile(fileURLToPath(new URL("../../ui/src/features/today/locales/en.json", import.meta.url)), "utf8"));
  const { page } = await openHistory({
    tab: "today",
    callBackError: { code: "baresip_failed", message: "baresip refused the command: ua: no account" },
  });
  await page.waitForSelector('#view-today[data-state="ready"]');
  await page.click('#today-missed .missed-call[data-call-id="d-3"] .call-back');
  await page.waitForSelector("#today-status .today-error");
  assert.equal(await page.textContent("#today-status .today-error"), today["today.error.baresip_failed"]);
  assert.match(await page.textContent("#today-status .history-error-detail"), /no account/);
  await page.close();
});

test("Call back without a phone app says to dial by hand", async () => {
  const today = JSON.parse(await readFile(fileURLToPath(new URL("../../ui/src/features/today/locales/en.json", import.meta.url)), "utf8"));
  const { page } = await openHistory({
    tab: "today",
    callBackError: { code: "opener_failed", message: "the phone link could not be opened: xdg-open: not found" },
  });
  await page.waitForSelector('#view-today[data-state="ready"]');
  await page.click('#today-missed .missed-call[data-call-id="d-3"] .call-back');
  await page.waitForSelector("#today-status .today-error");
  assert.equal(await page.textContent("#today-status .today-error"), today["today.error.opener_failed"]);
  assert.match(await page.textContent("#today-status .history-error-detail"), /xdg-open/);
  await page.close();
});
