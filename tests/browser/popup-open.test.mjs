// The pop-up's "Open in Salesforce", the owner line and the note on related records, plus the
// main window sending the tray labels and pop-up title in the UI's language (set_shell_labels).
// Chromium with Tauri IPC mocked; the URL itself is built in Rust and tested there.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { launchBrowser, openApp, openPopup, serveDist } from "./harness.mjs";

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
  result: { query: NUMBER, normalized: "+14155550123", kind: "phone", matches, api_calls: 1, cached: false, elapsed_ms: 9 },
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
  assert.equal(await page.textContent("#pop-owner"), en["popup.owner"].replace("{name}", "Olivia Owner"), "the owner is shown");
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

test("with more than 8 matches the pop-up says related records are loaded for the first 8", async () => {
  const { page } = await openPopup(browser, server.url);
  await send(page, update("O3", searched([match(1)])));
  await page.waitForSelector('#popup[data-state="found"]');
  assert.equal(await page.isHidden("#pop-related-first"), true, "one match: nothing to say");
  await send(page, update("O3", searched(Array.from({ length: 10 }, (_, i) => match(i + 1)))));
  await page.waitForFunction(() => !document.querySelector("#pop-related-first").hidden);
  assert.equal(await page.textContent("#pop-related-first"), en["popup.relatedFirst"].replace("{count}", "8"));
  await page.close();
});

test("the main window sends the tray labels and the pop-up title in its language, again on a switch", async () => {
  const de = await feature("de");
  const { page, errors } = await openApp(browser, server.url, { result: null, commands: { set_shell_labels: null } });
  const sent = () => page.evaluate(() => window.__allIpcCalls.filter((call) => call.cmd === "set_shell_labels").map((call) => call.args.labels));
  await page.waitForFunction(() => window.__allIpcCalls.some((call) => call.cmd === "set_shell_labels"));
  assert.deepEqual((await sent())[0], {
    show: en["popup.tray.show"],
    showCaller: en["popup.tray.showCaller"],
    quit: en["popup.tray.quit"],
    popupTitle: en["popup.title"],
  }, "English at start");
  await page.selectOption("#language-select", "de");
  await page.waitForFunction(() => window.__allIpcCalls.filter((call) => call.cmd === "set_shell_labels").length >= 2);
  const labels = await sent();
  assert.deepEqual(labels[labels.length - 1], {
    show: de["popup.tray.show"],
    showCaller: de["popup.tray.showCaller"],
    quit: de["popup.tray.quit"],
    popupTitle: de["popup.title"],
  }, "German after the switch");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});
