// The history view in the real app window: the app's own demo org is seeded with thousands of
// call logs over six agents (its `/__demo/call_logs` control endpoint), then the view lists
// them in the virtualised table, filters them (inbound only, matching an independent count
// from the demo org's REST API), draws the charts, exports the CSV to ~/Downloads (BOM,
// RFC 4180, Japanese and Arabic names exactly as Salesforce holds them), and the agent's own
// day shows today's calls and missed ones. Runs under run.sh (Xvfb, own D-Bus session).
//   RINGSIDE_HISTORY_SCREENSHOT=docs/history.png  also saves the window (and …-charts.png).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { launch, repo } from "./call-log-app.mjs";

// Relative to the repository (run.sh runs from there); an absolute path is kept.
const SCREENSHOT = process.env.RINGSIDE_HISTORY_SCREENSHOT ? resolve(repo, process.env.RINGSIDE_HISTORY_SCREENSHOT) : null;
const SEEDED = 5000;
const PAGE = 200; // TABLE_PAGE_SIZE in crates/ringside-core/src/history/cursors.rs
const API = "/services/data/v66.0";

const historyCatalog = async (locale) =>
  JSON.parse(await readFile(join(repo, "ui", "src", "features", "history", "locales", `${locale}.json`), "utf8"));

let app;
let session;
let org; // the app's built-in demo org, e.g. http://127.0.0.1:40123
let token;

before(async () => {
  app = await launch({ readySelector: "#nav-history" });
  session = app.session;
  // The org the app talks to, from the app itself (the header's `current_org`).
  const current = await session.execute("return window.__TAURI_INTERNALS__.invoke('current_org')");
  assert.equal(current?.org?.demo, true, `the test app runs on its built-in demo org; got ${JSON.stringify(current)}`);
  org = current.org.instance_url;
  token = (await (await fetch(`${org}/__demo/tokens`, { method: "POST" })).json()).access_token;
  // A big window, so the screenshot shows the filters, the table, the details and a chart.
  await fetch(`${session.base}/session/${session.id}/window/rect`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ width: 1280, height: 800 }),
  }).catch(() => {});
});

after(async () => {
  await app?.close();
});

async function seed(spec) {
  const response = await fetch(`${org}/__demo/call_logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(spec),
  });
  const body = await response.text();
  assert.equal(response.status, 200, `the demo org seeds call logs: ${body}`);
  return JSON.parse(body);
}

/** SOQL straight against the demo org (not through Ringside): the independent expectation. */
async function soql(query) {
  const response = await fetch(`${org}${API}/query?q=${encodeURIComponent(query)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await response.text();
  assert.equal(response.status, 200, `SOQL ${query}: ${body}`);
  return JSON.parse(body);
}

const untilReady = (selector, ms = 60_000) => session.waitFor(selector, ms);

/** Polls `read` until it returns `expected` (the view answers asynchronously); returns the last value. */
async function eventually(read, expected, ms = 60_000) {
  const deadline = Date.now() + ms;
  let value;
  while ((value = await read()) !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return value;
}
const digitsOf = (text) => Number(text.replace(/\D/g, ""));
/** The Calls tile of the charts: every call the filter matches (up to the 20,000 cap). */
const tileCalls = async () => {
  const text = await inView(
    `return document.querySelector('#history-charts[data-state="ready"] #history-tile-calls .history-tile-value')?.textContent ?? ""`,
  );
  return text === "" ? Number.NaN : digitsOf(text);
};
const inView = (script) => session.execute(script);

/** Sets a date input the way a user's pick does (the value, then `change`). */
function setDate(id, value) {
  return inView(`const input = document.getElementById(${JSON.stringify(id)});
    input.value = ${JSON.stringify(value)};
    input.dispatchEvent(new Event("change", { bubbles: true }));`);
}

test("the history view lists thousands of seeded calls in a virtualised table and filters them to inbound", async () => {
  const seeded = await seed({ count: SEEDED, seed: 7 });
  assert.equal(seeded.seeded, SEEDED);
  assert.equal(seeded.agents.length, 6, "calls spread over the demo user and five agents");
  // The seeded window only (the demo org's own few call logs are in late October).
  const fromDay = new Date(seeded.from_ms).toISOString().slice(0, 10);
  const lastDay = new Date(seeded.until_ms - 1).toISOString().slice(0, 10);

  await session.click(await session.find("#nav-history"));
  await untilReady('#view-history[data-state="ready"]');
  await setDate("history-since", fromDay);
  await setDate("history-until", lastDay);
  await untilReady('#view-history[data-state="ready"]');
  const inWindow = await soql(
    `SELECT Id FROM Call_Log__c WHERE Started_At__c >= ${fromDay}T00:00:00Z AND Started_At__c < ${new Date(seeded.until_ms).toISOString().slice(0, 19)}Z`,
  );
  assert.equal(
    await eventually(tileCalls, inWindow.totalSize),
    inWindow.totalSize,
    "the charts count what Salesforce holds for the date range",
  );
  assert.ok(inWindow.totalSize >= SEEDED, `the seeded calls fall in the window (${inWindow.totalSize})`);

  const table = await inView(`return {
    rows: document.querySelectorAll("#history-rows .history-row").length,
    loaded: Number(document.getElementById("history-grid").dataset.loaded),
  }`);
  assert.equal(table.loaded, PAGE, `one page of ${PAGE} rows is loaded first`);
  assert.ok(table.rows > 5 && table.rows < 80, `only the rows in view are in the DOM; got ${table.rows}`);

  // Scrolling to the end of the loaded rows loads the next page through the shell's cursor.
  await inView(`const s = document.getElementById("history-scroll"); s.scrollTop = s.scrollHeight;`);
  const deadline = Date.now() + 30_000;
  let loaded = PAGE;
  while (loaded <= PAGE && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    loaded = await inView(`return Number(document.getElementById("history-grid").dataset.loaded)`);
  }
  assert.equal(loaded, 2 * PAGE, "the second page arrived from the real app");
  assert.equal(
    Number(await session.attribute(await session.find("#history-summary"), "data-total")),
    inWindow.totalSize,
    "from the second page on the summary knows Salesforce's total",
  );
  const order = await inView(`return [...document.querySelectorAll("#history-rows .history-row")].map((r) => Number(r.dataset.index))`);
  assert.ok(order.includes(PAGE - 1), `the rows drawn are the ones where the user scrolled to (the end of page one); got ${order[0]}…${order.at(-1)}`);
  assert.ok(order.length < 80, `still only a few dozen rows in the DOM with ${2 * PAGE} loaded; got ${order.length}`);

  // Filter: inbound only.
  await inView(`const s = document.getElementById("history-direction"); s.value = "inbound"; s.dispatchEvent(new Event("change", { bubbles: true }));`);
  await untilReady('#view-history[data-state="loading"], #view-history[data-state="ready"]');
  await untilReady('#view-history[data-state="ready"]');
  const inbound = await soql(
    `SELECT Id FROM Call_Log__c WHERE Direction__c = 'Inbound' AND Started_At__c >= ${fromDay}T00:00:00Z AND Started_At__c < ${new Date(seeded.until_ms).toISOString().slice(0, 19)}Z`,
  );
  assert.equal(await eventually(tileCalls, inbound.totalSize), inbound.totalSize, "the inbound filter's count matches Salesforce's own");
  assert.ok(inbound.totalSize > SEEDED * 0.4 && inbound.totalSize < SEEDED * 0.7, `about 55% are inbound; got ${inbound.totalSize}`);
  const messages = await historyCatalog(await inView("return document.documentElement.lang"));
  const directions = await inView(`return [...new Set([...document.querySelectorAll("#history-rows .col-direction")].map((c) => c.title))]`);
  assert.deepEqual(directions, [messages["history.inbound"]], "every row shown is inbound");

  // Details of the first call.
  await session.click(await session.find('#history-rows .history-row[data-index="0"]'));
  await untilReady("#history-detail[data-call-id]");
  const callId = await session.attribute(await session.find("#history-detail"), "data-call-id");
  assert.match(callId, /^demo-7-\d{6}$/, "the picked call is one of the seeded ones");
});

test("the charts are drawn for the filter, under the app's CSP", async () => {
  await untilReady('#history-charts[data-state="ready"]');
  const painted = await inView(`return ["per-hour", "per-day", "outcomes", "agents"].map((id) => {
    const c = document.getElementById("history-chart-" + id);
    const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) n++;
    return { id, width: c.width, height: c.height, painted: n };
  })`);
  for (const chart of painted) {
    assert.ok(chart.width > 100 && chart.height > 100, `${chart.id} has a real size: ${JSON.stringify(chart)}`);
    assert.ok(chart.painted > 500, `${chart.id} was drawn by Chart.js: ${JSON.stringify(chart)}`);
  }
  const agents = await inView(`return document.querySelectorAll("#history-agent-table tbody tr").length`);
  assert.equal(agents, 6, "calls per agent: all six agents of the seed");
  const evalBlocked = await inView("try { new Function('return 1')(); return 'allowed'; } catch (err) { return err.name; }");
  assert.equal(evalBlocked, "EvalError", "the charts drew with eval refused by the CSP");

  if (SCREENSHOT) {
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await inView("window.scrollTo(0, 0)");
    await writeFile(SCREENSHOT, await session.screenshot());
    await inView(`document.getElementById("history-charts").scrollIntoView()`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const charts = SCREENSHOT.replace(/(\.png)?$/, "-charts.png");
    await writeFile(charts, await session.screenshot());
    await inView("window.scrollTo(0, 0)");
    console.log(`screenshots: ${SCREENSHOT} ${charts}`);
  }
});

/** RFC 4180 with a BOM: records of fields (CRLF line ends, quoted fields). */
function parseCsv(text) {
  assert.ok(text.startsWith("\uFEFF"), "the file starts with the UTF-8 byte-order mark");
  const records = [];
  let record = [];
  let field = "";
  let i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === "") {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          if (i >= text.length) throw new Error("unterminated quoted field");
          field += text[i++];
        }
      }
    } else if (c === ",") {
      record.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  assert.equal(field + record.join(""), "", "the last record ends in CRLF");
  return records;
}

test("Export CSV writes the filtered calls to ~/Downloads: BOM, RFC 4180, Japanese and Arabic names round-trip", async () => {
  await session.click(await session.find("#history-export"));
  await untilReady("#history-export-path", 60_000);
  const path = await session.text(await session.find("#history-export-path"));
  assert.ok(path.startsWith(join(homedir(), "Downloads") + "/"), `written where the user expects: ${path}`);
  assert.match(path, /ringside-history-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = await readFile(path);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM, so spreadsheets read non-Latin names");
  const records = parseCsv(bytes.toString("utf8"));
  const [header, ...rows] = records;
  const col = (name) => header.indexOf(name);
  assert.ok(col("matched_name") >= 0 && col("direction") >= 0 && col("notes") >= 0, `the header names the columns: ${header}`);
  const shown = await tileCalls();
  assert.equal(rows.length, shown, "every call of the filter (inbound in the seeded window), not just the loaded pages");
  assert.ok(rows.every((r) => r.length === header.length), "every record has every column");
  assert.ok(rows.every((r) => r[col("direction")] === "inbound"), "the export is of the filtered view");

  // Names as Salesforce holds them (asked directly), and as they came back out of the file.
  const names = new Set();
  for (const object of ["Contact", "Lead", "Account"]) {
    for (const r of (await soql(`SELECT Name FROM ${object}`)).records) names.add(r.Name);
  }
  const exported = new Set(rows.map((r) => r[col("matched_name")]).filter((n) => n !== ""));
  const japanese = [...exported].filter((n) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(n));
  const arabic = [...exported].filter((n) => /[\u0600-\u06ff]/.test(n));
  assert.ok(japanese.length > 0, `a Japanese name is among the exported callers: ${[...exported].slice(0, 20)}`);
  assert.ok(arabic.length > 0, `an Arabic name is among the exported callers: ${[...exported].slice(0, 20)}`);
  for (const name of [...japanese, ...arabic]) assert.ok(names.has(name), `${name} reads back exactly as Salesforce holds it`);
  const notes = rows.map((r) => r[col("notes")]);
  assert.ok(notes.includes("Two lines:\r\nfollow up on invoice, then demo"), "a note with CRLF and a comma survives quoting");
  assert.ok(notes.includes('Said "call me after 3pm", then hung up'), "a note with quotes survives doubling");
  const status = await session.attribute(await session.find("#history-export-status"), "data-rows");
  assert.equal(Number(status), rows.length, "the view says how many calls were written");
});

test("My day shows the signed-in agent's calls since midnight and today's missed calls with Call back", async () => {
  // Calls for today: the window ends at the next UTC midnight, so day 0 is today (UTC).
  const now = Date.now();
  const nextMidnight = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
  await seed({ count: 600, seed: 11, days: 1, until_ms: nextMidnight });
  // The view's day starts at local midnight.
  const since = new Date(new Date().setHours(0, 0, 0, 0));
  const mine = await soql(
    `SELECT Id, Direction__c, Disposition__c FROM Call_Log__c WHERE OwnerId = '${await demoUser()}' AND Started_At__c >= ${since.toISOString().slice(0, 19)}Z`,
  );
  assert.ok(mine.totalSize > 0, "the seed gave the demo user calls today");

  await session.click(await session.find("#nav-today"));
  await untilReady('#view-today[data-state="ready"], #view-today[data-state="failed"]');
  assert.equal(
    await session.attribute(await session.find("#view-today"), "data-state"),
    "ready",
    `My day loaded: ${await session.text(await session.find("#today-status"))}`,
  );
  // Calls other tests queued on this machine today (pending or dead) are listed too, marked.
  const listed = await inView(`return [...document.querySelectorAll("#today-calls .today-call")].map((li) => li.dataset.delivery)`);
  assert.equal(listed.filter((d) => d === "delivered").length, mine.totalSize, "every call the demo user had today in Salesforce, no one else's");
  assert.ok(listed.every((d) => ["delivered", "pending", "dead"].includes(d)), `each call says where it is: ${[...new Set(listed)]}`);
  const missed = mine.records.filter((r) => r.Direction__c === "Inbound" && r.Disposition__c === "Missed").length;
  const shownMissed = await inView(
    `return document.querySelectorAll('#today-missed .missed-call[data-delivery="delivered"]').length`,
  );
  assert.equal(shownMissed, missed, "every missed inbound call of the day is listed");
  if (missed > 0) {
    const buttons = await inView(`return document.querySelectorAll('#today-missed .missed-call[data-delivery="delivered"] .call-back').length`);
    assert.equal(buttons, missed, "each missed call with a number has its one-click Call back");
  }
});

/** The demo org's signed-in user (the owner of "my" calls), from its seed constants. */
async function demoUser() {
  const seedSource = await readFile(join(repo, "crates", "demo-org", "src", "seed.rs"), "utf8");
  const found = /DEMO_USER_ID: &str = "(\w+)"/.exec(seedSource);
  assert.ok(found, "crates/demo-org/src/seed.rs names DEMO_USER_ID");
  return found[1];
}

/** p-th percentile (nearest rank) of `values`. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// A measurement, not a check: prints percentiles and API calls, asserts no timing.
// Run with RINGSIDE_HISTORY_BENCH=1 tests/desktop/run.sh (after the tests above seeded 5,600 calls).
test(
  "bench: the history view's first page through the app's IPC, 10,000+ calls, 50 ms injected latency",
  { skip: process.env.RINGSIDE_HISTORY_BENCH !== "1" && "set RINGSIDE_HISTORY_BENCH=1 to measure" },
  async (t) => {
    await seed({ count: 5000, seed: 8 });
    const total = (await soql("SELECT Id FROM Call_Log__c")).totalSize;
    const fault = await fetch(`${org}/__demo/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "latency", ms: 50 }),
    });
    assert.equal(fault.status, 204, "the demo org takes the latency fault");
    t.after(() => fetch(`${org}/__demo/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"kind":"clear"}' }));
    const runs = 30;
    // The bare round trip at the same latency, for comparison (a one-row query from node).
    const bare = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await soql("SELECT Id FROM User LIMIT 1");
      bare.push(performance.now() - started);
    }
    await fetch(`${org}/__demo/requests`, { method: "DELETE" });
    const timings = await session.execute(`return (async () => {
      const query = { since: null, until: null, agent: null, direction: null, disposition: null, matched_object: null };
      const times = [];
      for (let i = 0; i < ${runs}; i++) {
        const started = performance.now();
        const page = await window.__TAURI_INTERNALS__.invoke("history_first_page", { query });
        times.push(performance.now() - started);
        if (page.rows.length !== ${PAGE}) throw new Error("a first page holds ${PAGE} rows, got " + page.rows.length);
      }
      return times;
    })()`);
    const requests = await (await fetch(`${org}/__demo/requests`)).json();
    // Queries only: the app's queue worker may talk to the org meanwhile.
    const apiCalls = requests.filter((r) => /\/query(\/|$)/.test(r.path)).length;
    // The same query the app sent, replayed from node: Salesforce's (the demo org's) share.
    const sent = requests.find((r) => /\/query$/.test(r.path) && r.query);
    const replay = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const response = await fetch(`${org}${sent.path}?${sent.query}`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      replay.push(performance.now() - started);
    }
    const line = (name, values) =>
      `${name}: p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;
    console.log(`history first page via IPC, ${total} calls in the org, 50 ms latency, ${runs} runs`);
    console.log(line(`  first page (invoke → ${PAGE} rows in the webview)`, timings));
    console.log(line("  the app's first-page query replayed from node", replay));
    console.log(line("  bare round trip (one-row SOQL from node)", bare));
    console.log(`  API calls per first page: ${apiCalls / runs}`);
  },
);
