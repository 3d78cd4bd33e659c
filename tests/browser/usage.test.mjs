// The API budget (issue 18) in Chromium with Tauri IPC mocked: the main window's quiet banner
// at the governor's threshold (and none below it), Settings' figures (the org's used/allocation,
// Ringside's requests today by kind, requests per handled call), the history's auto-refresh
// that asks the governor and says it is paused, and a log held for the org's allowance said
// in words in History and Queue. Expected texts come from the catalogs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fill, ipcMockScript, launchBrowser, serveDist } from "./harness.mjs";

const catalogOf = async (path) => JSON.parse(await readFile(fileURLToPath(new URL(`../../ui/src/${path}`, import.meta.url)), "utf8"));
const app = (locale) => catalogOf(`i18n/locales/${locale}.json`);
const feature = (name, locale) => catalogOf(`features/${name}/locales/${locale}.json`);

const KINDS = ["pop", "related", "log", "edit", "history", "describe", "sign-in", "usage", "other"];
const budget = (used, max, counts = {}, extra = {}) => {
  const byKind = KINDS.map((kind) => ({ kind, requests: counts[kind] ?? 0 }));
  const paused = used / max >= 0.9;
  return {
    org: { used, max },
    ringside_today: byKind.reduce((sum, k) => sum + k.requests, 0),
    by_kind: byKind,
    per_call: 2.5,
    handled_calls: 4,
    pause_at: 0.9,
    optional: paused ? { state: "paused", used, max, pause_at: 0.9 } : { state: "allowed" },
    ...extra,
  };
};
const figures = (locale, used, max) => ({
  used: new Intl.NumberFormat(locale).format(used),
  max: new Intl.NumberFormat(locale).format(max),
  percent: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(used / max),
});

const HELD_ROW = {
  call_id: "held-1", started_at: "2026-11-22T09:00:00.000Z", started_at_ms: Date.UTC(2026, 10, 22, 9, 0),
  direction: "inbound", from: "+14155550123", to: "+14155550100", duration_seconds: 60, disposition: "Connected",
  subject: "Call", notes: null, summary: null, key_topics: [], memo: [], recording_url: null, matched: null,
  owner: { id: "005000000000000AAA", name: "Demo User" }, delivery: "pending",
  delivery_error: "TotalRequests Limit exceeded.", held_for_allowance: true, call_log_id: null, task_id: null,
};
const page0 = { rows: [HELD_ROW], cursor: null, total_in_salesforce: 0, local_undelivered: 1, queue_problem: null };
const STATS = {
  calls: 1, pending: 1, dead: 0, per_hour: Array(24).fill(0), per_day: [], outcomes: [],
  average_duration_seconds: 60, longest: null, per_agent: [],
};
const QUEUE = {
  counts: { pending: 1, in_flight: 0, delivered: 0, dead: 0 },
  entries: [{
    id: 1, call_id: "held-1", state: "pending", attempts: 0, last_error_code: "REQUEST_LIMIT_EXCEEDED",
    last_error: "TotalRequests Limit exceeded.", held_for: null, reason: "allowance", from: "+14155550123",
    to: "+14155550100", started_at_ms: Date.UTC(2026, 10, 22, 9, 0), subject: "", disposition: "", notes: "",
    who_id: null, what_id: null, actions_of_call: null, actions: [],
  }],
  problem: null,
  notice: null,
};

let server;
let browser;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The app with `usage_today` answering `window.__budget` (changeable by the test). */
async function open(first, { locale = "en" } = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.clock.install();
  await page.addInitScript({ content: `localStorage.setItem("ringside.locale", ${JSON.stringify(locale)});` });
  await page.addInitScript({
    content: await ipcMockScript({
      commands: {
        list_orgs: { orgs: [], demo_in_use: true, keyring_problem: null, active_problem: null, refused_link: null,
          defaults: { client_id: null, login_url: "https://login.salesforce.com", demo_login_url: "http://127.0.0.1:1",
            demo_client_id: "demo", redirect_port: null, scope_profile: "standard" } },
        update_notice: null,
        history_stats: { stats: STATS, capped: false, cap: 20000 },
        queue_overview: QUEUE,
      },
    }),
  });
  await page.addInitScript({
    content: `(() => {
      window.__budget = ${JSON.stringify(first)};
      window.__historyLoads = 0;
      const fallback = window.__TAURI_INTERNALS__.invoke;
      window.__tauriMocks.mockIPC(async (cmd, args) => {
        if (cmd === "usage_today") return window.__budget;
        if (cmd === "history_first_page") { window.__historyLoads += 1; return ${JSON.stringify(page0)}; }
        return fallback(cmd, args);
      }, { shouldMockEvents: true });
    })();`,
  });
  await page.goto(server.url);
  await page.waitForSelector("#search-input");
  return { page, errors };
}

test("a quiet banner at 90 % of the allocation says optional requests are paused, none below", async () => {
  const en = await app("en");
  const { page, errors } = await open(budget(950, 1000, { pop: 3 }));
  await page.waitForSelector("#api-budget-banner[data-state='paused']");
  assert.equal(
    await page.textContent("#api-budget-banner"),
    fill(en["app.budgetPaused"], figures("en-US", 950, 1000)),
    "the org's figures and what still works, in words",
  );
  assert.equal(await page.getAttribute("#api-budget-banner", "role"), "status", "a status line, never a dialog");
  assert.equal(await page.locator("dialog[open], [role=alertdialog]").count(), 0);
  // Below the threshold the banner goes away by itself at the next reading.
  await page.evaluate(() => { window.__budget = { ...window.__budget, org: { used: 500, max: 1000 }, optional: { state: "allowed" } }; });
  await page.clock.runFor(16_000);
  await page.waitForSelector("#api-budget-banner[data-state='allowed']", { state: "attached" });
  assert.equal(await page.isVisible("#api-budget-banner"), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the banner in Arabic reads right to left", async () => {
  const ar = await app("ar");
  const { page, errors } = await open(budget(1000, 1000), { locale: "ar" });
  await page.waitForSelector("#api-budget-banner[data-state='paused']");
  assert.equal(await page.getAttribute("html", "dir"), "rtl");
  assert.equal(await page.textContent("#api-budget-banner"), fill(ar["app.budgetPaused"], figures("ar", 1000, 1000)));
  assert.deepEqual(errors, []);
  await page.close();
});

test("Settings shows the org's used/allocation, Ringside's requests today by kind and per handled call", async () => {
  const s = await feature("settings", "en");
  const { page, errors } = await open(budget(420, 15000, { pop: 6, log: 4 }));
  await page.click("#nav-settings");
  await page.waitForSelector("#settings-usage[data-state='ready']");
  assert.equal(await page.textContent("#settings-usage-org"), fill(s["settings.usage.org"], figures("en-US", 420, 15000)));
  assert.equal(await page.textContent("#settings-usage-ringside"), fill(s["settings.usage.ringside"], { count: "10" }));
  const kinds = await page.$$eval("#settings-usage-kinds li", (items) => items.map((i) => [i.dataset.kind, i.textContent]));
  assert.deepEqual(kinds, [
    ["pop", `${s["settings.usage.kind.pop"]}: 6`],
    ["log", `${s["settings.usage.kind.log"]}: 4`],
  ], "only the kinds with requests today, each named in words");
  assert.equal(await page.textContent("#settings-usage-per-call"), fill(s["settings.usage.perCall"], { perCall: "2.5", calls: "4" }));
  assert.equal(await page.getAttribute("#settings-usage-paused", "data-paused"), "false");
  assert.deepEqual(errors, []);
  await page.close();
});

test("History's auto-refresh asks the governor: it reloads below the threshold and pauses, saying so, above it", async () => {
  const h = await feature("history", "en");
  const { page, errors } = await open(budget(100, 1000));
  await page.click("#nav-history");
  await page.waitForFunction(() => window.__historyLoads === 1);
  await page.clock.runFor(61_000);
  await page.waitForFunction(() => window.__historyLoads === 2);
  assert.equal(await page.isVisible("#history-auto-refresh"), false, "nothing to say while it runs");
  await page.evaluate(() => { window.__budget = { ...window.__budget, org: { used: 960, max: 1000 }, optional: { state: "paused", used: 960, max: 1000, pause_at: 0.9 } }; });
  await page.clock.runFor(61_000);
  await page.waitForSelector("#history-auto-refresh[data-state='paused']");
  assert.equal(await page.evaluate(() => window.__historyLoads), 2, "paused: no reload, so no request");
  assert.equal(await page.textContent("#history-auto-refresh"), fill(h["history.autoRefreshPaused"], figures("en-US", 960, 1000)));
  assert.deepEqual(errors, []);
  await page.close();
});

test("a log held for the org's allowance says so in words in History and in Queue", async () => {
  const h = await feature("history", "en");
  const q = await feature("queue", "en");
  const { page, errors } = await open(budget(1000, 1000));
  await page.click("#nav-history");
  await page.waitForSelector("#history-rows .history-row[data-index='0']");
  assert.equal(await page.textContent("#history-rows .history-row[data-index='0'] .col-state"), h["history.state.allowance"]);
  await page.click("#history-rows .history-row[data-index='0']");
  await page.waitForSelector(".history-delivery-hint[data-reason='allowance']");
  const hint = await page.textContent(".history-delivery-hint");
  assert.equal(hint, h["history.allowanceHint"]);
  assert.match(hint, /Not in Salesforce yet because the org's API allowance is used up/);
  await page.click("#nav-queue");
  const reason = page.locator('.queue-item[data-call-id="held-1"] .queue-reason');
  await reason.waitFor();
  assert.equal(await reason.textContent(), q["queue.reason.allowance"]);
  assert.match(await reason.textContent(), /Not in Salesforce yet because the org's API allowance is used up/);
  assert.deepEqual(errors, []);
  await page.close();
});
