// The pop-up window's page (popup.html) in Chromium with Tauri IPC and events mocked: the
// states one ring goes through, unknown callers, errors, and the keyboard (arrows, Enter, Esc).
// Expected texts come from the catalogs, so the tests check wiring, not copy-edits.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { catalog, fill, launchBrowser, openApp, openPopup, serveDist } from "./harness.mjs";

const NUMBER = "+1 415 555 0123";
const caller = { kind: "number", number: NUMBER };
const match = (overrides) => ({
  object: "Contact",
  id: "003000000000001AAA",
  name: "Jane Caller",
  company: "Acme Robotics",
  title: "VP Customer Operations",
  phone: "(415) 555-0123",
  email: "jane.caller@example.com",
  matched_field: "Phone",
  last_modified: "2026-11-01T10:00:00.000+0000",
  open_opportunities: [{ id: "006A", name: "Acme renewal", stage: "Negotiation", amount: 48000, close_date: "2026-12-15" }],
  open_cases: [{ id: "500A", number: "00001026", subject: "Headset drops calls", status: "Working" }],
  related_loaded: true,
  source: "search",
  ...overrides,
});
const JANE = match({});
const LEAD = match({ object: "Lead", id: "00Q000000000002AAA", name: "Jim Prospect", company: "Prospect Inc", open_opportunities: [], open_cases: [] });
const ACCOUNT = match({ object: "Account", id: "001000000000003AAA", name: "Acme Robotics", title: null, open_cases: [] });
const searched = (matches) => ({
  status: "searched",
  result: { query: NUMBER, normalized: "+14155550123", kind: "phone", matches, api_calls: 1, left_out: [], cached: false, elapsed_ms: 9 },
});
const update = (callId, pop, from = caller) => ({ call_id: callId, caller: from, pop });

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

const send = (page, value) => page.evaluate((u) => window.__sendPop(u), value);
const calls = (page, cmd) => page.evaluate((c) => window.__ipcCalls.filter((call) => call.cmd === c), cmd);

test("a ring shows Searching… with the number, then the match with its open opportunities and cases", async () => {
  const { page, errors } = await openPopup(browser, server.url);
  assert.equal(await page.getAttribute("#popup", "data-state"), "idle", "before any call the pop-up waits");

  await send(page, update("T1", null));
  await page.waitForSelector('#popup[data-state="searching"]');
  assert.equal(await page.textContent("#pop-status"), en["status.searching"], "searching… shows at once");
  assert.equal(await page.textContent("#pop-number"), NUMBER, "the number shows while searching");

  await send(page, update("T1", searched([JANE])));
  await page.waitForSelector('#popup[data-state="found"]');
  assert.equal(await page.textContent("#pop-status"), fill(en["status.count.one"], { count: "1" }), "one match, counted");
  assert.equal(await page.textContent("#pop-details .record-name"), "Jane Caller", "the name is shown");
  assert.equal(await page.textContent("#pop-details .match-object"), en["object.Contact"], "the object, from the catalog");
  assert.equal(await page.textContent("#pop-details .record-company"), "Acme Robotics", "the company is shown");
  assert.equal(await page.textContent("#pop-details .record-title"), "VP Customer Operations", "the title is shown");
  assert.equal(await page.textContent("#pop-details .record-phone"), "(415) 555-0123", "the phone is shown");
  const opportunity = await page.textContent("#pop-details .record-opportunities .opportunity");
  assert.match(opportunity, /Acme renewal/, "the open opportunity's name is listed");
  assert.match(opportunity, /Negotiation/, "with its stage");
  assert.match(opportunity, /48,000/, "with its amount");
  assert.match(opportunity, /Dec 15, 2026/, "with its close date in the reader's language");
  assert.equal(await page.textContent("#pop-details .case-number"), "00001026", "the open case's number is listed");
  assert.equal(await page.textContent("#pop-details .case-subject"), "Headset drops calls", "with its subject");
  assert.equal(await page.textContent("#pop-details .case-status"), "Working", "and its status");
  assert.equal(await page.isHidden("#pop-matches"), true, "a single match needs no list to pick from");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("a user without Lead access sees the Contact and a line saying Leads were not searched", async () => {
  const { page, errors } = await openPopup(browser, server.url);
  const withoutLeads = searched([JANE]);
  withoutLeads.result.left_out = ["Lead"];
  await send(page, update("T8", withoutLeads));
  await page.waitForSelector('#popup[data-state="found"]');
  assert.equal(await page.textContent("#pop-details .record-name"), "Jane Caller", "the Contact is still popped");
  assert.equal(await page.textContent("#pop-status .pop-left-out"), en["popup.leadsLeftOut"], "what was not searched, in words");
  await send(page, update("T9", searched([JANE])));
  await page.waitForFunction(() => !document.querySelector("#pop-status .pop-left-out"));
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("a pop that arrived before the window opened is shown from current_pop", async () => {
  const { page, errors } = await openPopup(browser, server.url, { current: update("T9", searched([JANE])) });
  await page.waitForSelector('#popup[data-state="found"]');
  assert.equal(await page.textContent("#pop-details .record-name"), "Jane Caller", "the window shows the pop it missed");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("several matches show the count; arrow keys pick one and Enter opens the picked record", async () => {
  const { page, errors } = await openPopup(browser, server.url);
  await send(page, update("T2", searched([JANE, LEAD, ACCOUNT])));
  await page.waitForSelector('#popup[data-state="found"]');
  assert.equal(await page.textContent("#pop-status"), fill(en["status.count.other"], { count: "3" }), "3 matches, counted");
  assert.equal(await page.locator("#pop-matches .pop-match").count(), 3, "every match is listed to pick from");
  assert.equal(await page.textContent('#pop-matches [aria-selected="true"] .match-name'), "Jane Caller", "the best match starts picked");

  await page.keyboard.press("ArrowDown");
  assert.equal(await page.textContent('#pop-matches [aria-selected="true"] .match-name'), "Jim Prospect", "ArrowDown picks the next");
  assert.equal(await page.textContent("#pop-details .record-name"), "Jim Prospect", "the details follow the pick");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.textContent('#pop-matches [aria-selected="true"] .match-name'), "Acme Robotics", "ArrowUp from the first wraps to the last");

  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.__ipcCalls.some((call) => call.cmd === "open_caller_record"));
  assert.deepEqual(
    (await calls(page, "open_caller_record")).map((call) => call.args),
    [{ callId: "T2", recordId: ACCOUNT.id }],
    "Enter asks the shell to open the picked record of this call",
  );
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("Esc dismisses the pop-up", async () => {
  const { page } = await openPopup(browser, server.url);
  await send(page, update("T3", null));
  await page.waitForSelector('#popup[data-state="searching"]');
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => window.__ipcCalls.some((call) => call.cmd === "dismiss_pop"));
  assert.equal((await calls(page, "dismiss_pop")).length, 1, "Esc sends exactly one dismiss_pop");
  assert.equal((await calls(page, "open_caller_record")).length, 0, "Esc never opens a record");
  await page.close();
});

test("a withheld number pops Unknown caller without a search", async () => {
  const { page, errors } = await openPopup(browser, server.url);
  await send(page, update("T4", { status: "unknown_caller", withheld: true, reason: "withheld" }, { kind: "withheld" }));
  await page.waitForSelector('#popup[data-state="unknown"]');
  assert.equal(await page.textContent("#pop-number"), en["popup.withheldNumber"], "the number line says it is withheld");
  assert.equal(await page.textContent("#pop-status .pop-unknown"), en["popup.unknownCaller"], "unknown caller, from the catalog");
  assert.equal(await page.textContent("#pop-status .pop-status-detail"), en["popup.withheld"], "with why");
  await page.keyboard.press("Enter");
  assert.equal((await calls(page, "open_caller_record")).length, 0, "there is no record for Enter to open");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("a failed search shows the catalog error and the number for a manual search", async () => {
  const { page, errors } = await openPopup(browser, server.url);
  await send(page, update("T5", null));
  await send(page, update("T5", { status: "failed", number: "+14155550123", code: "salesforce_unreachable", message: "connection refused" }));
  await page.waitForSelector('#popup[data-state="failed"]');
  assert.equal(await page.textContent("#pop-error"), en["error.salesforce_unreachable"], "the error is the catalog message for its code");
  assert.equal(
    await page.textContent("#pop-status .pop-manual"),
    fill(en["popup.manualSearch"], { number: "+14155550123" }),
    "the number is given for a manual search",
  );

  await send(page, update("T6", { status: "failed", number: "+14155550123", code: "timeout", message: "no answer in 10 s" }));
  await page.waitForFunction(() => document.querySelector("#pop-error")?.textContent !== "" );
  assert.equal(await page.textContent("#pop-error"), en["popup.error.timeout"], "a timeout has its own message");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("no match says so with the next step", async () => {
  const { page } = await openPopup(browser, server.url);
  await send(page, update("T7", searched([])));
  await page.waitForSelector('#popup[data-state="none"]');
  assert.equal(await page.textContent("#pop-status"), en["popup.noMatch"], "no record: create one after the call");
  await page.close();
});

test("in Arabic the pop-up is right to left and its labels come from the Arabic catalog", async () => {
  const ar = await catalog("ar");
  const arabic = await launchBrowser({ locale: "ar" });
  try {
    const { page, errors } = await openPopup(arabic, server.url);
    await send(page, update("T8", searched([JANE])));
    await page.waitForSelector('#popup[data-state="found"]');
    assert.equal(await page.evaluate(() => document.documentElement.dir), "rtl", "Arabic is laid out right to left");
    assert.equal(await page.textContent("#pop-details .record-cases .related-title"), ar["record.cases"], "section titles are Arabic");
    assert.equal(await page.evaluate(() => document.querySelector("#pop-number").dir), "ltr", "the number still reads left to right");
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await arabic.close();
  }
});

test("a main window made for Enter in the pop-up (it was closed, Ringside in the tray) opens the record waiting in the shell", async () => {
  const { page, errors } = await openApp(browser, server.url, { result: null, commands: { record_to_show: JANE } });
  await page.waitForSelector("#record-panel:not([hidden]) .record-name");
  assert.equal(await page.textContent("#record-panel .record-name"), "Jane Caller", "the record Enter asked for, with no show-record event");
  assert.equal(await page.textContent("#record-panel .case-subject"), "Headset drops calls", "with its open case");
  const asked = await page.evaluate(() => window.__allIpcCalls.filter((call) => call.cmd === "record_to_show").length);
  assert.equal(asked, 1, "the page asks once, when it starts");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("the main window shows the record the pop-up opened (show-record) with its cases", async () => {
  const { page, errors } = await openApp(browser, server.url, { result: null });
  assert.equal(await page.isHidden("#record-panel"), true, "no record panel before a record is opened");
  await page.evaluate(
    (record) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "show-record", payload: record }),
    JANE,
  );
  await page.waitForSelector("#record-panel:not([hidden]) .record-name");
  assert.equal(await page.textContent("#record-panel .record-name"), "Jane Caller", "the opened record is shown");
  assert.equal(await page.textContent("#record-panel .case-subject"), "Headset drops calls", "with its open case");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "record-panel", "focus moves to the record for the keyboard");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});
