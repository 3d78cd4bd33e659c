// The pop-up's "Create Lead / Create Contact" for a caller nobody has yet, in Chromium with
// Tauri IPC mocked: the inline form (never a dialog: Esc still dismisses), its checks before
// anything is sent, what create_caller is asked, the created record shown, Salesforce's
// refusals in words, an ended call that does not wipe what the agent typed, and Arabic.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { catalog, launchBrowser, openPopup, serveDist } from "./harness.mjs";

const NUMBER = "+1 212 555 0142";
const caller = { kind: "number", number: NUMBER };
const noMatch = {
  status: "searched",
  result: { query: NUMBER, normalized: "+12125550142", kind: "phone", matches: [], api_calls: 1, left_out: [], cached: false, elapsed_ms: 7 },
};
const update = (callId, pop, ended = null) => ({ call_id: callId, caller, pop, ended });
const CREATED = {
  object: "Lead",
  id: "00Q000000000042AAA",
  name: "Nia Newcaller",
  company: "Newco Ltd",
  title: null,
  phone: "+12125550142",
  email: null,
  matched_field: "Phone",
  owner: null,
  last_modified: null,
  open_opportunities: [],
  open_cases: [],
  related_loaded: false,
  source: "recently_created",
};
const feature = async (locale) =>
  JSON.parse(await readFile(fileURLToPath(new URL(`../../ui/src/features/popup/locales/${locale}.json`, import.meta.url)), "utf8"));

let server;
let browser;
let en;
let shell;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  en = await feature("en");
  shell = await catalog("en");
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const send = (page, value) => page.evaluate((u) => window.__sendPop(u), value);
const calls = (page, cmd) => page.evaluate((c) => window.__ipcCalls.filter((call) => call.cmd === c), cmd);

test("no match shows the create form with the caller's number; a Lead is created and then shown", async () => {
  const { page, errors } = await openPopup(browser, server.url, { commands: { create_caller: { hold: true, result: CREATED } } });
  await send(page, update("C1", noMatch));
  await page.waitForSelector('#popup[data-state="none"] #pop-create:not([hidden])');
  assert.equal(await page.inputValue("#pop-create-phone"), NUMBER, "the caller's number is prefilled");
  assert.equal(await page.isChecked("#pop-create-lead"), true, "Lead is the default");
  assert.equal(await page.isVisible("#pop-create-company"), true, "a Lead asks for its company");
  assert.equal(await page.textContent("#pop-create .pop-create-heading"), en["popup.create.heading"], "labels from the catalog");

  await page.click("#pop-create-submit");
  assert.equal(await page.textContent("#pop-create-message"), en["popup.create.needLastName"], "the last name is required");
  assert.equal((await calls(page, "create_caller")).length, 0, "nothing is sent without a last name");
  await page.fill("#pop-create-last", "Newcaller");
  await page.press("#pop-create-last", "Enter");
  assert.equal(await page.textContent("#pop-create-message"), en["popup.create.needCompany"], "a Lead needs a company");
  assert.equal((await calls(page, "create_caller")).length, 0, "nothing is sent without a company");

  await page.fill("#pop-create-first", "Nia");
  await page.fill("#pop-create-company", "Newco Ltd");
  await page.press("#pop-create-company", "Enter");
  await page.waitForFunction(() => window.__ipcCalls.some((call) => call.cmd === "create_caller"));
  assert.deepEqual(
    (await calls(page, "create_caller")).map((call) => call.args),
    [{ callId: "C1", caller: { object: "Lead", first_name: "Nia", last_name: "Newcaller", company: "Newco Ltd", phone: NUMBER } }],
    "create_caller gets the call and exactly what the agent typed",
  );
  // As the real shell does: it lists the new record in the call's pop and sends that update
  // before the command's answer arrives.
  await send(page, update("C1", { ...noMatch, result: { ...noMatch.result, matches: [CREATED] } }));
  await page.waitForSelector('#popup[data-state="found"]');
  await page.evaluate(() => window.__releaseCommand());
  await page.waitForSelector("#pop-created");
  assert.equal(await page.textContent("#pop-details .record-name"), "Nia Newcaller", "the new Lead is shown");
  assert.equal(await page.textContent("#pop-created"), en["popup.create.created"], "and the agent is told it is saved");
  assert.equal(await page.isHidden("#pop-create"), true, "the form is gone once there is a record");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("a Contact needs no company; Esc while typing still dismisses (the form never blocks)", async () => {
  const { page } = await openPopup(browser, server.url, { commands: { create_caller: { result: { ...CREATED, object: "Contact" } } } });
  await send(page, update("C2", noMatch));
  await page.waitForSelector("#pop-create:not([hidden])");
  await page.check("#pop-create-contact");
  assert.equal(await page.isHidden("#pop-create-company"), true, "a Contact has no company field to fill");
  await page.fill("#pop-create-last", "山田");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => window.__ipcCalls.some((call) => call.cmd === "dismiss_pop"));
  assert.equal((await calls(page, "create_caller")).length, 0, "Esc does not submit");
  await page.click("#pop-create-submit");
  await page.waitForFunction(() => window.__ipcCalls.some((call) => call.cmd === "create_caller"));
  const [sent] = await calls(page, "create_caller");
  assert.deepEqual(sent.args.caller, { object: "Contact", first_name: null, last_name: "山田", company: null, phone: NUMBER }, "a non-Latin last name is sent as typed");
  await page.close();
});

test("Salesforce's refusal is shown in words with its message, and what was typed stays", async () => {
  const refusal = { code: "duplicates_detected", message: "Salesforce did not create the record: Use one of these records? (a duplicate rule found a matching record)" };
  const { page, errors } = await openPopup(browser, server.url, { commands: { create_caller: { error: refusal } } });
  await send(page, update("C3", noMatch));
  await page.waitForSelector("#pop-create:not([hidden])");
  await page.fill("#pop-create-last", "Doe");
  await page.fill("#pop-create-company", "Acme");
  await page.click("#pop-create-submit");
  await page.waitForSelector('#pop-create[data-error="duplicates_detected"]');
  assert.equal(await page.textContent("#pop-create-message"), en["popup.create.error.duplicates_detected"], "the catalog's words for the code");
  assert.equal(await page.textContent("#pop-create-detail"), refusal.message, "Salesforce's own message as the detail");
  assert.equal(await page.inputValue("#pop-create-last"), "Doe", "nothing typed is lost");
  assert.equal(await page.isEnabled("#pop-create-submit"), true, "the agent can try again");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("the caller hanging up while the agent types marks the call missed and keeps the form", async () => {
  const { page } = await openPopup(browser, server.url);
  await send(page, update("C4", noMatch));
  await page.waitForSelector("#pop-create:not([hidden])");
  await page.fill("#pop-create-last", "Half-typed");
  await send(page, update("C4", noMatch, { missed: true, duration_secs: 0 }));
  await page.waitForSelector('#popup[data-ended="missed"]');
  assert.equal(await page.textContent("#pop-ended"), en["popup.ended.missed"], "the pop-up says the call was missed");
  assert.equal(await page.inputValue("#pop-create-last"), "Half-typed", "the end of the call does not wipe the form");
  await send(page, update("C5", noMatch));
  await page.waitForSelector('#popup[data-ended=""]');
  assert.equal(await page.inputValue("#pop-create-last"), "", "a new call starts with an empty form");
  assert.equal(await page.inputValue("#pop-create-phone"), NUMBER, "prefilled with the new caller's number");
  await page.close();
});

test("in Arabic the form is right to left and the number stays left to right", async () => {
  const ar = await feature("ar");
  const arabic = await launchBrowser({ locale: "ar" });
  try {
    const { page, errors } = await openPopup(arabic, server.url);
    await send(page, update("C6", noMatch));
    await page.waitForSelector("#pop-create:not([hidden])");
    assert.equal(await page.evaluate(() => document.documentElement.dir), "rtl");
    assert.equal(await page.textContent("#pop-create-submit"), ar["popup.create.submit"], "the button is Arabic");
    assert.equal(await page.evaluate(() => document.querySelector("#pop-create-phone").dir), "ltr", "numbers read left to right");
    assert.equal(await page.evaluate(() => document.title), ar["popup.title"], "the window title is Arabic");
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await arabic.close();
  }
  assert.ok(shell["popup.noMatch"], "the no-match sentence still comes from the shell catalog");
});
