// The record panel's editor in Chromium with Tauri IPC mocked: type-aware inputs for the
// editable fields, read-only text for the rest, Save sending only changed fields with the
// version shown, Revert, the conflict prompt (theirs vs yours), refused values and errors in
// words, an edit queued while Salesforce is unreachable ("pending", then saved or a conflict),
// and intent buttons on each related Opportunity. Expected texts come from the catalogs, so these check wiring, not copy.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fill, ipcMockScript, launchBrowser, plain, serveDist } from "./harness.mjs";

const NUMBER = "(415) 555-0123";
const ID = "003000000000001AAA";
const SEEN = "2026-11-01T10:00:00.000+0000";
const MATCH = {
  object: "Contact",
  id: ID,
  name: "Ada Lovelace",
  company: "Analytical Engines Ltd",
  title: "CTO",
  phone: NUMBER,
  email: "ada@example.com",
  matched_field: "Phone",
  last_modified: SEEN,
  related_loaded: true,
  open_opportunities: [],
  open_cases: [{ id: "500000000000001AAA", number: "00001001", subject: "Engine jammed", status: "New" }],
};
const field = (name, label, type, value, editable, extra = {}) => ({ name, label, type, value, editable, length: 0, picklist: [], ...extra });
const RECORD = {
  object: "Contact",
  id: ID,
  last_modified: SEEN,
  fields: [
    field("Name", "Full Name", "string", "Ada Lovelace", false, { length: 121 }),
    field("Title", "Title", "string", "CTO", true, { length: 128 }),
    field("Email", "Email", "email", "ada@example.com", false, { length: 80 }),
    field("LeadSource", "Lead Source", "picklist", "Web", true, { picklist: ["Web", "Phone Inquiry", "Partner Referral"] }),
    field("Birthdate", "Birthdate", "date", null, true),
    field("DoNotCall", "Do Not Call", "boolean", false, true),
    field("Description", "Description", "textarea", "Prefers mornings", true, { length: 32000 }),
  ],
  hidden: ["Secret__c"],
  intents: [],
  related_intents: [],
};
const withValue = (name, value, lastModified) => ({
  ...RECORD,
  last_modified: lastModified,
  fields: RECORD.fields.map((f) => (f.name === name ? { ...f, value } : f)),
});
const lookupResult = { query: NUMBER, normalized: "+14155550123", kind: "phone", matches: [MATCH], api_calls: 1, left_out: [], cached: false, elapsed_ms: 3 };

const localeFile = (locale) => fileURLToPath(new URL(`../../ui/src/features/caller/locales/${locale}.json`, import.meta.url));

let server;
let browser;
let en;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  en = JSON.parse(await readFile(localeFile("en"), "utf8"));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Opens the app with `answers`: per command (`show_record`, `save_record`) a list of
 * `{result}` / `{error}` answers used in order (the last one repeats). Calls are recorded in
 * `window.__recordCalls`.
 */
async function openWithRecord(answers) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await ipcMockScript({ result: lookupResult }) });
  // A second mockIPC in front of the harness's: the record commands answer from `answers`.
  await page.addInitScript({
    content: `(() => {
      const answers = ${JSON.stringify(answers)};
      const used = {};
      window.__recordCalls = [];
      const fallback = window.__TAURI_INTERNALS__.invoke;
      window.__tauriMocks.mockIPC(async (cmd, args) => {
        if (!(cmd in answers)) return fallback(cmd, args);
        window.__recordCalls.push({ cmd, args });
        const list = answers[cmd];
        const answer = list[Math.min(used[cmd] ?? 0, list.length - 1)];
        used[cmd] = (used[cmd] ?? 0) + 1;
        if (answer.error) throw answer.error;
        return answer.result;
      }, { shouldMockEvents: true });
    })();`,
  });
  await page.goto(server.url);
  await page.waitForSelector("#search-input");
  return { page, errors };
}

/** Searches and clicks the match, then waits for the editor to settle. */
async function openRecord(page, state = "idle") {
  await page.fill("#search-input", NUMBER);
  await page.press("#search-input", "Enter");
  await page.click(`.match[data-record-id="${ID}"]`);
  await page.waitForSelector(`#record-edit[data-state="${state}"]`);
}

const calls = (page, cmd) => page.evaluate((c) => window.__recordCalls.filter((call) => call.cmd === c), cmd);

test("a clicked match opens in the panel: editable fields get inputs of their type, the rest is read-only", async () => {
  const { page, errors } = await openWithRecord({ show_record: [{ result: RECORD }] });
  await openRecord(page);
  assert.deepEqual((await calls(page, "show_record")).map((c) => c.args), [{ id: ID }], "the record is read by its id");
  assert.equal(await page.textContent("#record-panel .record-name"), "Ada Lovelace", "the heading names the record");

  const tag = (id) => page.$eval(`#${id}`, (node) => `${node.tagName.toLowerCase()}:${node.getAttribute("type") ?? ""}`);
  assert.equal(await tag("record-field-Title"), "input:text", "text field → text input");
  assert.equal(await page.getAttribute("#record-field-Title", "maxlength"), "128", "the describe's length limits the input");
  assert.equal(await tag("record-field-LeadSource"), "select:", "picklist → select");
  assert.deepEqual(
    await page.$$eval("#record-field-LeadSource option", (options) => options.map((o) => o.value)),
    ["", "Web", "Phone Inquiry", "Partner Referral"],
    "the picklist offers the describe's values (and none)",
  );
  assert.equal(await page.inputValue("#record-field-LeadSource"), "Web", "the current value is selected");
  assert.equal(await tag("record-field-Birthdate"), "input:date", "date → date input");
  assert.equal(await tag("record-field-DoNotCall"), "input:checkbox", "boolean → checkbox");
  assert.equal(await tag("record-field-Description"), "textarea:", "long text → textarea");

  assert.equal(await page.getAttribute('.record-field[data-field="Email"]', "data-editable"), "false", "Email is read-only");
  assert.equal(await page.$$eval('.record-field[data-field="Email"] input, .record-field[data-field="Email"] select', (n) => n.length), 0, "a read-only field has no input");
  assert.equal(await page.textContent("#record-field-Email"), "ada@example.com", "its value is still shown");
  assert.ok((await page.textContent(".record-hidden-fields")).includes("Secret__c"), "fields hidden by field security are named");
  assert.equal(await page.isDisabled("#record-save"), true, "nothing changed: nothing to save");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("Save sends only the changed fields with the version shown, then re-reads the record", async () => {
  const { page } = await openWithRecord({
    show_record: [{ result: RECORD }, { result: withValue("Title", "Analyst", "2026-11-02T09:00:00.000+0000") }],
    save_record: [{ result: { kind: "saved", outcome: { object: "Contact", id: ID, changed: ["Title"], last_modified: "2026-11-02T09:00:00.000+0000" } } }],
  });
  await openRecord(page);
  await page.fill("#record-field-Title", "Analyst");
  await page.selectOption("#record-field-LeadSource", "Web"); // unchanged: must not be sent
  assert.equal(await page.textContent("#record-edit-status"), fill(en["recordEdit.changed.one"], { count: "1" }), "one unsaved change is counted");
  await page.click("#record-save");
  await page.waitForSelector('#record-edit[data-state="saved"]');
  assert.deepEqual(
    (await calls(page, "save_record")).map((c) => c.args),
    [{ id: ID, changes: [{ field: "Title", value: "Analyst" }], expectedModified: SEEN }],
    "only Title is sent, with the LastModifiedDate the panel showed",
  );
  assert.equal((await calls(page, "show_record")).length, 2, "the record is read again after the save");
  assert.equal(await page.inputValue("#record-field-Title"), "Analyst", "the saved value is shown");
  assert.equal(await page.textContent("#record-edit-status"), en["recordEdit.saved"], "the agent sees it was saved");
  await page.close();
});

test("Revert puts every field back and sends nothing", async () => {
  const { page } = await openWithRecord({ show_record: [{ result: RECORD }] });
  await openRecord(page);
  await page.fill("#record-field-Title", "Something else");
  await page.check("#record-field-DoNotCall");
  assert.equal(await page.textContent("#record-edit-status"), fill(en["recordEdit.changed.other"], { count: "2" }), "two changes are counted");
  await page.click("#record-revert");
  assert.equal(await page.inputValue("#record-field-Title"), "CTO", "Title is back");
  assert.equal(await page.isChecked("#record-field-DoNotCall"), false, "the checkbox is back");
  assert.equal(await page.isDisabled("#record-save"), true, "nothing left to save");
  assert.equal((await calls(page, "save_record")).length, 0, "Revert writes nothing");
  await page.close();
});

test("a conflict shows theirs and yours per field; keeping yours saves again over the new version", async () => {
  const NOW = "2026-11-03T08:00:00.000+0000";
  const { page } = await openWithRecord({
    show_record: [{ result: RECORD }, { result: withValue("Title", "Mine", "2026-11-03T08:05:00.000+0000") }],
    save_record: [
      { result: { kind: "conflict", current: NOW, fields: [{ field: "Title", yours: "Mine", theirs: "Theirs" }] } },
      { result: { kind: "saved", outcome: { object: "Contact", id: ID, changed: ["Title"], last_modified: "2026-11-03T08:05:00.000+0000" } } },
    ],
  });
  await openRecord(page);
  await page.fill("#record-field-Title", "Mine");
  await page.click("#record-save");
  await page.waitForSelector("#record-conflict");
  assert.equal(await page.textContent(".record-conflict-text"), en["recordEdit.conflict"], "the prompt explains what happened");
  const row = '.conflict-field[data-field="Title"]';
  assert.equal(await page.textContent(`${row} .conflict-theirs .conflict-value`), "Theirs", "their value is shown");
  assert.equal(await page.textContent(`${row} .conflict-yours .conflict-value`), "Mine", "the agent's value is shown");
  assert.equal(await page.isDisabled("#record-save"), true, "Save waits for the agent's choice");
  await page.check(`${row} input[value="yours"]`);
  await page.click("#record-conflict-apply");
  await page.waitForSelector('#record-edit[data-state="saved"]');
  const saves = (await calls(page, "save_record")).map((c) => c.args);
  assert.deepEqual(saves[1], { id: ID, changes: [{ field: "Title", value: "Mine" }], expectedModified: NOW }, "the second save expects the version that won the race");
  await page.close();
});

test("refused values are shown under their fields; nothing is marked saved", async () => {
  const { page } = await openWithRecord({
    show_record: [{ result: RECORD }],
    save_record: [{ result: { kind: "refused", problems: [{ field: "Title", reason: "is 200 characters long; this field holds at most 128" }] } }],
  });
  await openRecord(page);
  await page.fill("#record-field-Title", "x");
  await page.click("#record-save");
  await page.waitForSelector('#record-edit[data-state="refused"]');
  assert.equal(await page.textContent('.record-field[data-field="Title"] .record-field-problem'), "is 200 characters long; this field holds at most 128", "the reason sits under the field");
  assert.equal(await page.getAttribute("#record-field-Title", "aria-invalid"), "true", "the input is marked invalid");
  assert.equal(await page.textContent("#record-edit-status"), en["recordEdit.refused"], "the status says nothing was saved");
  await page.close();
});

test("Salesforce unreachable: says nothing was saved and keeps the agent's change to try again", async () => {
  const { page } = await openWithRecord({
    show_record: [{ result: RECORD }],
    save_record: [{ error: { code: "salesforce_unreachable", message: "POST /composite: could not connect to Salesforce (nothing was sent)" } }],
  });
  await openRecord(page);
  await page.fill("#record-field-Title", "Analyst");
  await page.click("#record-save");
  await page.waitForSelector('#record-edit[data-state="failed"]');
  assert.equal(await page.textContent("#record-edit-error"), en["recordEdit.error.salesforce_unreachable"], "honest: not saved, try again");
  assert.equal(await page.inputValue("#record-field-Title"), "Analyst", "the change is still there");
  assert.equal(await page.isDisabled("#record-save"), false, "the agent can save again");
  await page.close();
});

test("a validation rule's message is shown in words; a deleted record says so", async () => {
  const { page } = await openWithRecord({
    show_record: [{ result: RECORD }],
    save_record: [
      { error: { code: "salesforce_rejected", message: "Salesforce refused the edit: Title must not mention competitors (Title)" } },
      { error: { code: "record_deleted", message: "Contact 003000000000001AAA was deleted in Salesforce" } },
    ],
  });
  await openRecord(page);
  await page.fill("#record-field-Title", "Analyst");
  await page.click("#record-save");
  await page.waitForSelector('#record-edit-error[data-code="salesforce_rejected"]');
  assert.equal(await page.textContent("#record-edit-error"), en["recordEdit.error.salesforce_rejected"], "the catalog says Salesforce refused");
  assert.ok((await page.textContent(".record-edit-status")).includes("Title must not mention competitors"), "the rule's own message is visible");
  await page.click("#record-save");
  await page.waitForSelector('#record-edit-error[data-code="record_deleted"]');
  assert.equal(await page.textContent("#record-edit-error"), en["recordEdit.error.record_deleted"], "a deleted record is named as such");
  await page.close();
});

test("a record opened from the pop-up (show-record) gets the editor and its open cases", async () => {
  const { page } = await openWithRecord({ show_record: [{ result: RECORD }] });
  await page.evaluate((match) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "show-record", payload: match }), MATCH);
  await page.waitForSelector('#record-edit[data-state="idle"]');
  assert.equal(await page.textContent("#record-panel .record-name"), "Ada Lovelace", "the pop-up's match is shown");
  assert.equal(await page.textContent("#record-panel .case-subject"), "Engine jammed", "its open case is listed");
  assert.equal(await page.getAttribute('.record-field[data-field="Title"]', "data-editable"), "true", "and its fields are editable as allowed");
  await page.close();
});

test("intent buttons write their value; a picklist intent sends the agent's pick; a refusal says why", async () => {
  const withIntents = {
    ...RECORD,
    intents: [
      { name: "demo_requested", field: "Demo_At__c", label: "Demo At", kind: "now" },
      { name: "stage", field: "LeadSource", label: "Lead Source", kind: "choose", values: ["Web", "Phone Inquiry"] },
    ],
  };
  const saved = { result: { kind: "saved", outcome: { object: "Contact", id: ID, changed: ["Demo_At__c"], last_modified: "2026-11-04T08:00:00.000+0000" } } };
  const { page } = await openWithRecord({
    show_record: [{ result: withIntents }],
    apply_intent: [saved, { result: { kind: "refused", problems: [{ field: "stage", reason: "pick a value first" }] } }, saved],
  });
  await openRecord(page);
  assert.deepEqual(
    await page.$$eval("#record-intents .intent-button", (buttons) => buttons.map((b) => b.textContent)),
    ["Demo requested", "Stage"],
    "each intent is a button labelled in words",
  );
  await page.fill("#record-field-Title", "Kept while the intent applies");
  await page.click('.intent[data-intent="demo_requested"] .intent-button');
  await page.waitForSelector('#record-edit[data-state="intent"]');
  assert.equal(await page.textContent("#record-edit-status"), fill(en["recordEdit.intentApplied"], { intent: "Demo requested" }), "the agent sees it was saved");
  assert.equal(await page.inputValue("#record-field-Title"), "Kept while the intent applies", "an unsaved edit survives the intent");

  await page.click('.intent[data-intent="stage"] .intent-button');
  await page.waitForSelector(".record-edit-status .record-edit-detail");
  assert.equal(await page.textContent(".record-edit-status .record-edit-detail"), "pick a value first", "the refusal's reason is shown");
  await page.selectOption('.intent[data-intent="stage"] select', "Phone Inquiry");
  await page.click('.intent[data-intent="stage"] .intent-button');
  await page.waitForFunction(() => window.__recordCalls.filter((c) => c.cmd === "apply_intent").length === 3);
  assert.deepEqual(
    (await calls(page, "apply_intent")).map((c) => c.args),
    [
      { id: ID, intent: "demo_requested", input: null },
      { id: ID, intent: "stage", input: "" },
      { id: ID, intent: "stage", input: "Phone Inquiry" },
    ],
    "a value-less intent sends no input; a picklist intent sends the agent's pick",
  );
  await page.close();
});

const QUEUED = {
  id: 7,
  object: "Contact",
  record_id: ID,
  changes: [{ field: "Title", value: "Offline title" }],
  intent: null,
  state: "pending",
  attempts: 0,
  error_code: null,
  error: null,
  conflict: null,
  created_at: 1795000000000,
};
const emitEditsChanged = (page) =>
  page.evaluate(() => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "record-edits-changed", payload: null }));

test("Salesforce unreachable: the save is pending, listed, and turns into saved when the background send lands", async () => {
  const { page, errors } = await openWithRecord({
    show_record: [{ result: RECORD }, { result: withValue("Title", "Offline title", "2026-11-05T09:00:00.000+0000") }],
    save_record: [{ result: { kind: "queued", edit: QUEUED } }],
    // Read after the first load, after the queued save, then after the send.
    queued_record_edits: [{ result: [] }, { result: [QUEUED] }, { result: [] }],
  });
  await openRecord(page);
  await page.fill("#record-field-Title", "Offline title");
  await page.click("#record-save");
  await page.waitForSelector('#record-edit[data-state="queued"]');
  assert.equal(await page.textContent("#record-edit-status"), en["recordEdit.queued"], "the agent is told it is pending, not lost");
  await page.waitForSelector('#record-pending .pending-edit[data-state="pending"]');
  const line = plain(await page.textContent('#record-pending .pending-edit[data-edit="7"]'));
  assert.ok(line.includes(en["recordEdit.pending"]), `the queued edit says it will be saved when Salesforce is reachable: ${line}`);
  assert.ok(line.includes("Title: Offline title"), `the queued change is named: ${line}`);
  assert.equal(await page.inputValue("#record-field-Title"), "Offline title", "the agent's value stays shown");
  assert.equal(await page.isDisabled("#record-save"), true, "nothing left to save: it is queued");

  await emitEditsChanged(page);
  await page.waitForSelector('#record-edit[data-state="saved"]');
  assert.equal(await page.$("#record-pending"), null, "once sent it is no longer pending");
  assert.equal((await calls(page, "show_record")).length, 2, "the record is read again after the send");
  assert.deepEqual(errors, [], "no page errors");
  await page.close();
});

test("a queued edit that met a change in Salesforce shows both values; Save mine anyway overwrites and resolves it", async () => {
  const conflict = {
    ...QUEUED,
    state: "conflict",
    conflict: { current: "2026-11-05T10:00:00.000+0000", fields: [{ field: "Title", yours: "Offline title", theirs: "Changed by a colleague" }] },
  };
  const failed = { ...QUEUED, id: 8, changes: [{ field: "Description", value: "x" }], state: "failed", error_code: "salesforce_rejected", error: "Salesforce refused the edit: Description must mention a product" };
  const { page } = await openWithRecord({
    show_record: [{ result: RECORD }],
    queued_record_edits: [{ result: [conflict, failed] }, { result: [failed] }],
    save_record: [{ result: { kind: "saved", outcome: { object: "Contact", id: ID, changed: ["Title"], last_modified: "2026-11-05T10:01:00.000+0000" } } }],
    resolve_queued_edit: [{ result: null }],
  });
  await openRecord(page);
  await page.waitForSelector('#record-pending .pending-edit[data-state="conflict"]');
  const text = await page.textContent('.pending-edit[data-state="conflict"]');
  assert.ok(text.includes(en["recordEdit.pendingConflict"]), `the conflict is said: ${text}`);
  assert.ok(text.includes("Changed by a colleague") && text.includes("Offline title"), `both values are shown: ${text}`);
  const failedText = await page.textContent('.pending-edit[data-state="failed"] .pending-reason');
  assert.equal(failedText, "Salesforce refused the edit: Description must mention a product", "a permanent error is shown in words");

  await page.click('.pending-edit[data-state="conflict"] .pending-keep-mine');
  await page.waitForFunction(() => window.__recordCalls.some((c) => c.cmd === "resolve_queued_edit"));
  assert.deepEqual(
    (await calls(page, "save_record")).map((c) => c.args),
    [{ id: ID, changes: [{ field: "Title", value: "Offline title" }], expectedModified: "2026-11-05T10:00:00.000+0000" }],
    "the agent's value is saved over the version Salesforce has now",
  );
  assert.deepEqual((await calls(page, "resolve_queued_edit")).map((c) => c.args), [{ edit: 7 }], "and the conflict is resolved");
  await page.close();
});

test("each open Opportunity gets its intent buttons: Demo requested writes on that Opportunity", async () => {
  const OPPORTUNITY = "006000000000001AAA";
  const match = { ...MATCH, open_opportunities: [{ id: OPPORTUNITY, name: "Engines for Babbage", stage: "Prospecting", amount: null, close_date: null }] };
  const withRelated = {
    ...RECORD,
    related_intents: [{ object: "Opportunity", intents: [{ name: "demo_requested", field: "Demo_Requested_At__c", label: "Demo Requested At", kind: "now" }] }],
  };
  const { page } = await openWithRecord({
    show_record: [{ result: withRelated }],
    apply_intent: [
      { result: { kind: "saved", outcome: { object: "Opportunity", id: OPPORTUNITY, changed: ["Demo_Requested_At__c"], last_modified: null } } },
      { result: { kind: "queued", edit: { ...QUEUED, object: "Opportunity", record_id: OPPORTUNITY, changes: [], intent: "demo_requested" } } },
    ],
  });
  await page.evaluate((m) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "show-record", payload: m }), match);
  const button = `li.opportunity[data-record-id="${OPPORTUNITY}"] .related-intent-button[data-intent="demo_requested"]`;
  await page.waitForSelector(button);
  assert.equal(await page.textContent(button), "Demo requested", "the intent is a button on the Opportunity, in words");
  await page.click(button);
  const status = `li.opportunity[data-record-id="${OPPORTUNITY}"] .related-intent-status`;
  await page.waitForSelector(`${status}[data-state="saved"]`);
  assert.equal(await page.textContent(status), fill(en["recordEdit.intentApplied"], { intent: "Demo requested" }));
  assert.deepEqual(
    (await calls(page, "apply_intent")).map((c) => c.args),
    [{ id: OPPORTUNITY, intent: "demo_requested", input: null }],
    "it writes on that Opportunity, not on the Contact",
  );
  await page.click(button);
  await page.waitForSelector(`${status}[data-state="queued"]`);
  assert.equal(await page.textContent(status), fill(en["recordEdit.intentQueued"], { intent: "Demo requested" }), "offline, the press is pending");
  await page.close();
});

test("a record that cannot be read (Salesforce unreachable) still lists its pending edits", async () => {
  const { page } = await openWithRecord({
    show_record: [{ error: { code: "salesforce_unreachable", message: "connection refused" } }],
    queued_record_edits: [{ result: [QUEUED] }],
  });
  await openRecord(page, "failed");
  await page.waitForSelector('#record-pending .pending-edit[data-state="pending"]');
  const line = plain(await page.textContent('#record-pending .pending-edit[data-edit="7"]'));
  assert.ok(line.includes(en["recordEdit.pending"]) && line.includes("Title: Offline title"), `the pending edit is listed: ${line}`);
  assert.equal(await page.getAttribute("#record-edit-error", "data-code"), "salesforce_unreachable", "and why the record is not shown");
  await page.close();
});
