// The pop-up's "Open in Salesforce", the owner line and related records loaded on demand (pop-up
// and caller search), plus the main window sending the tray labels and pop-up title in the UI's
// language (set_shell_labels).
// Chromium with Tauri IPC mocked; the URL itself is built in Rust and tested there.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fill, launchBrowser, openApp, openPopup, serveDist } from "./harness.mjs";

const NUMBER = "+1 415 555 0123";
const match = (n, overrides = {}) => ({
  object: "Contact",
  id: `003000000000${String(n).padStart(3, "0")}AAA`,
  name: `Caller ${n}`,
  company: "Acme Robotics",
  title: null,
  phone: "(415) 555-0123",
  email: null,
  matched_field: "Phone",
  owner: "Olivia Owner",
  last_modified: null,
  open_opportunities: [],
  open_cases: [],
  related_loaded: n <= 8,
  source: "search",
  ...overrides,
});
const searched = (matches) => ({
  status: "searched",
  result: { query: NUMBER, normalized: "+14155550123", kind: "phone", matches, api_calls: 1, left_out: [], cached: false, elapsed_ms: 9 },
});
const update = (callId, pop) => ({ call_id: callId, caller: { kind: "number", number: NUMBER }, pop, ended: null });
const feature = async (locale) =>
  JSON.parse(await readFile(fileURLToPath(new URL(`../../ui/src/features/popup/locales/${locale}.json`, import.meta.url)), "utf8"));

let server;
let browser;
let en;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  en = await feature("en");
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const send = (page, value) => page.evaluate((u) => window.__sendPop(u), value);
const calls = (page, cmd) => page.evaluate((c) => window.__ipcCalls.filter((call) => call.cmd === c), cmd);

test("Open in Salesforce asks the shell to open the picked record, and follows the pick", async () => {
  const url = "https://acme.my.salesforce.com/lightning/r/Contact/003000000000001AAA/view";
  const { page, errors } = await openPopup(browser, server.url, { commands: { open_in_salesforce: { result: url } } });
  await send(page, update("O1", searched([match(1), match(2, { owner: null })])));
  await page.waitForSelector('#popup[data-state="found"]');
  assert.equal(await page.textContent("#pop-owner"), fill(en["popup.owner"], { name: "Olivia Owner" }), "the owner is shown");
  assert.equal(await page.textContent("#pop-open-salesforce"), en["popup.openInSalesforce"]);
  await page.click("#pop-open-salesforce");
  await page.waitForFunction(() => window.__ipcCalls.some((call) => call.cmd === "open_in_salesforce"));
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.isHidden("#pop-owner"), true, "no owner line for a record without one");
  await page.click("#pop-open-salesforce");
  await page.waitForFunction(() => window.__ipcCalls.filter((call) => call.cmd === "open_in_salesforce").length === 2);
  assert.deepEqual(
    (await calls(page, "open_in_salesforce")).map((call) => call.args),
    [{ recordId: match(1).id }, { recordId: match(2).id }],
    "only the record id goes to the shell, which builds the URL from the org",
  );
  assert.equal(await page.textContent("#pop-action-error"), "", "no error when it opened");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("a browser that cannot start is said in words", async () => {
  const { page } = await openPopup(browser, server.url, {
    commands: { open_in_salesforce: { error: { code: "opener_failed", message: "xdg-open: not found" } } },
  });
  await send(page, update("O2", searched([match(1)])));
  await page.waitForSelector('#popup[data-state="found"]');
  await page.click("#pop-open-salesforce");
  await page.waitForFunction(() => document.querySelector("#pop-action-error")?.textContent !== "");
  assert.equal(await page.textContent("#pop-action-error"), en["popup.openFailed"]);
  await page.close();
});

const OPPORTUNITY = { id: "006000000000001AAA", name: "Renewal 2031", stage: "Prospecting", amount: 1200, close_date: "2031-01-31" };
const CASE = { id: "500000000000009AAA", number: "00009009", subject: "Crowd question", status: "New" };
const related = { open_opportunities: [OPPORTUNITY], open_cases: [CASE] };

test("a match beyond the first 8 loads its opportunities and cases when picked: loading…, then the records", async () => {
  const { page, errors } = await openPopup(browser, server.url, { commands: { related_records: { hold: true, result: related } } });
  const matches = Array.from({ length: 10 }, (_, i) =>
    match(i + 1, i < 8 ? { open_cases: [{ ...CASE, id: `50000000000000${i}AAA`, number: `0000100${i}` }] } : {}),
  );
  await send(page, update("O3", searched(matches)));
  await page.waitForSelector('#popup[data-state="found"]');
  assert.equal(await page.textContent("#pop-details .case-number"), "00001000", "the first match's case came with the pop");
  assert.equal(await page.$("#pop-related-first"), null, "no blanket note about the first 8 any more");
  for (let i = 0; i < 8; i += 1) await page.keyboard.press("ArrowDown");
  await page.waitForSelector(`#pop-details[data-source] .record-details[data-record-id="${match(9).id}"]`);
  assert.equal(await page.textContent("#pop-details .related-loading"), en["popup.related.loading"], "loading… while it is fetched");
  assert.equal(await page.$("#pop-details .record-related-unknown"), null, "never the old 'open the record' note");
  assert.deepEqual(
    (await calls(page, "related_records")).map((call) => call.args),
    [{ object: "Contact", id: match(9).id }],
    "one request, for the picked record only",
  );
  await page.evaluate(() => window.__releaseCommand());
  await page.waitForSelector("#pop-details .case-number");
  assert.equal(await page.textContent("#pop-details .case-number"), CASE.number, "its open case");
  assert.equal(await page.textContent("#pop-details .opportunity-name"), OPPORTUNITY.name, "its open opportunity");
  assert.equal(await page.$("#pop-details .related-loading"), null, "loading… is gone");
  // Back and forth: the loaded records are kept, not asked again.
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector("#pop-details .case-number");
  assert.equal(await page.textContent("#pop-details .case-number"), CASE.number);
  assert.equal((await calls(page, "related_records")).length, 1, "asked once per record");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("related records that cannot be loaded say so, and Try again asks again", async () => {
  const { page } = await openPopup(browser, server.url, {
    commands: { related_records: { error: { code: "salesforce_unreachable", message: "connection refused" } } },
  });
  await send(page, update("O4", searched([match(9)])));
  await page.waitForSelector("#pop-details .related-failed");
  const shown = await page.textContent("#pop-details .related-failed .status-error");
  assert.ok(shown.startsWith(en["popup.related.failed"]), `says it failed: ${shown}`);
  await page.click("#pop-details .related-retry");
  await page.waitForFunction(() => window.__ipcCalls.filter((call) => call.cmd === "related_records").length === 2);
  await page.waitForSelector("#pop-details .related-failed");
  await page.close();
});

test("the caller search opens a match's opportunities and cases, loading them for a match the lookup lacked", async () => {
  const matches = Array.from({ length: 10 }, (_, i) =>
    match(i + 1, i === 0 ? { open_opportunities: [{ ...OPPORTUNITY, id: "006000000000000AAA", name: "From the lookup" }] } : {}),
  );
  const result = { query: NUMBER, normalized: "+14155550123", kind: "phone", matches, api_calls: 1, left_out: [], cached: false, elapsed_ms: 9 };
  const { page, errors } = await openApp(browser, server.url, { result, commands: { related_records: related } });
  await page.fill("#search-input", NUMBER);
  await page.press("#search-input", "Enter");
  await page.waitForFunction(() => document.querySelectorAll("#matches > li.match").length === 10);
  const relatedCalls = () => page.evaluate(() => window.__allIpcCalls.filter((call) => call.cmd === "related_records").map((call) => call.args));
  const first = `#matches > li[data-record-id="${match(1).id}"]`;
  assert.equal(await page.getAttribute(`${first} .match-related-toggle`, "aria-expanded"), "false");
  await page.click(`${first} .match-related-toggle`);
  await page.waitForSelector(`${first} .match-related .opportunity-name`);
  assert.equal(await page.textContent(`${first} .opportunity-name`), "From the lookup", "what the lookup brought");
  assert.deepEqual(await relatedCalls(), [], "nothing asked for a match the lookup loaded");
  assert.equal(
    await page.evaluate(() => document.activeElement?.classList.contains("match-related-toggle")),
    true,
    "the keyboard stays on the toggle",
  );
  const ninth = `#matches > li[data-record-id="${match(9).id}"]`;
  await page.click(`${ninth} .match-related-toggle`);
  await page.waitForSelector(`${ninth} .match-related .case-number`);
  assert.equal(await page.textContent(`${ninth} .case-number`), CASE.number, "loaded on demand");
  assert.deepEqual(await relatedCalls(), [{ object: "Contact", id: match(9).id }], "one request for the ninth match");
  await page.click(`${ninth} .match-related-toggle`);
  assert.equal(await page.isHidden(`${ninth} .match-related`), true, "closes again");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("the main window sends the tray labels and the pop-up title in its language, again on a switch", async () => {
  const de = await feature("de");
  const { page, errors } = await openApp(browser, server.url, { result: null, commands: { set_shell_labels: null } });
  const sent = () => page.evaluate(() => window.__allIpcCalls.filter((call) => call.cmd === "set_shell_labels").map((call) => call.args.labels));
  await page.waitForFunction(() => window.__allIpcCalls.some((call) => call.cmd === "set_shell_labels"));
  assert.deepEqual((await sent())[0], {
    show: en["popup.tray.show"],
    show_caller: en["popup.tray.showCaller"],
    quit: en["popup.tray.quit"],
    popup_title: en["popup.title"],
  }, "English at start");
  await page.selectOption("#language-select", "de");
  await page.waitForFunction(() => window.__allIpcCalls.filter((call) => call.cmd === "set_shell_labels").length >= 2);
  const labels = await sent();
  assert.deepEqual(labels[labels.length - 1], {
    show: de["popup.tray.show"],
    show_caller: de["popup.tray.showCaller"],
    quit: de["popup.tray.quit"],
    popup_title: de["popup.title"],
  }, "German after the switch");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});
