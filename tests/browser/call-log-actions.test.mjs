// The log form's outcome actions in Chromium with Tauri IPC mocked (issue 17 item 2): choosing a
// disposition with an outcome lists each action the shell's preview plans, each with a tick box;
// unticking one, moving the follow-up and picking what the call was "About" are saved with the
// draft and sent with "Log call"; a config the shell cannot read says the actions are not
// applied, and the call is logged anyway. Texts come from the catalogs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fill, ipcMockScript, launchBrowser, plain, serveDist } from "./harness.mjs";

const localeFile = (locale) => fileURLToPath(new URL(`../../ui/src/features/call-log/locales/${locale}.json`, import.meta.url));
const LEAD = "00Q000000000001AAA";
const OPPORTUNITY = "006000000000001AAA";

const DRAFT = {
  call_id: "call-77",
  started_at_ms: Date.UTC(2026, 10, 22, 9, 30),
  missed: false,
  manual: false,
  matched: { id: LEAD, object: "Lead", label: "Olivia Bennett" },
  what_choices: [
    { id: OPPORTUNITY, object: "Opportunity", label: "Bennett expansion" },
    { id: "500000000000001AAA", object: "Case", label: "00001026 Headset drops calls" },
  ],
  candidates: [],
  pressed: [],
  fields: {
    direction: "inbound",
    from: "+442079460958",
    to: "+14155550100",
    duration_seconds: 300,
    disposition: "",
    subject: "",
    notes: "",
    who_id: LEAD,
    what_id: null,
    summary: "",
    key_topics: [],
    memo: [],
    recording_url: "",
    actions: { skip: [], follow_up_at_ms: null },
  },
  timing: { dialed_at_ms: null, answered_at_ms: null, ended_at_ms: null },
};

// The shell's preview as ringside-core plans it for `[outcomes."Demo booked"]` with a Lead
// update and a follow-up Event two days on at 10:00 (or at the time the agent chose), and an
// Opportunity stage change that needs an Opportunity under "About".
const mock = (broken) => `(() => {
window.__calls = [];
const DEFAULT_START = Date.UTC(2026, 10, 24, 9, 0);
window.__tauriMocks.mockIPC(async (cmd, args) => {
  window.__calls.push({ cmd, args });
  switch (cmd) {
    case "current_org": return { org: { alias: null, username: null, instance_url: "http://127.0.0.1:1", demo: true }, problem: null };
    case "open_call_logs": return [];
    case "call_log_options": throw { code: "describe_failed", message: "no describe in this test" };
    case "queue_overview": return { counts: { pending: 0, in_flight: 0, delivered: 0, dead: 0 }, entries: [], problem: null, notice: null };
    case "update_call_log": window.__lastFields = args.fields; return { draft: { ...window.__draft, fields: args.fields }, auto_log_at_ms: Date.now() + 120000 };
    case "log_call": return { call_id: args.callId, outcome: "queued", queue_id: 7, automatic: false, message: ${broken ? '"ringside.toml: expected a table"' : "null"} };
    case "call_log_state": return "pending";
    case "preview_call_actions": {
      const f = args.fields;
      if (f.disposition === "Qualified") {
        // create_opportunity reads the Account's name in Salesforce when sent; lead_notes
        // waits for BANT notes, then appends them to the Lead's old text (a reference).
        const b = f.actions.bant;
        const notes = b && [b.budget, b.authority, b.need, b.timeline].some((t) => t.trim() !== "")
          ? { name: "lead_notes", state: "queued", object: "Lead", record_id: f.who_id, body: { Description: "@{leadNotesRead.Description}\\n\\n[Ringside call " + args.callId + "]\\nBudget: " + b.budget }, reads: [{ reference: "leadNotesRead", object: "Lead", id: f.who_id, fields: ["Description"] }] }
          : { name: "lead_notes", state: "skipped", note: "no BANT notes were given for this call", object: "Lead", record_id: f.who_id, body: {} };
        return {
          actions: [
            { name: "create_opportunity", state: "queued", object: "Opportunity", body: { Name: "@{newOpportunityAccount.Name} – 2026-11-22", StageName: "Prospecting", CloseDate: "2026-12-22", AccountId: "@{newOpportunitySource.AccountId}" }, upsert: { field: "Ringside_Call_Id__c", value: args.callId } },
            notes,
          ],
          problem: null,
        };
      }
      // chatter skipped: for want of a signed-in user (it names its feed), or of a feed.
      if (f.disposition === "Posted") return { actions: [{ name: "chatter", state: "skipped", note: "no signed-in user", object: "FeedItem", record_id: f.who_id, body: {} }], problem: null };
      if (f.disposition === "Posted nowhere") return { actions: [{ name: "chatter", state: "skipped", note: "no feed", object: "FeedItem", body: {} }], problem: null };
      if (f.disposition !== "Demo booked") return { actions: [], problem: null };
      if (${broken}) return { actions: [], problem: "ringside.toml: expected a table" };
      const start = f.actions.follow_up_at_ms ?? DEFAULT_START;
      const opportunity = f.what_id && f.what_id.startsWith("006")
        ? { name: "opportunity", state: "queued", object: "Opportunity", record_id: f.what_id, body: { StageName: "Qualification" } }
        : { name: "opportunity", state: "skipped", note: "the call is not with a Opportunity", object: "Opportunity", body: {} };
      return {
        actions: [
          { name: "lead", state: "queued", object: "Lead", record_id: f.who_id, body: { Status: "Working - Contacted", Rating: "Hot" } },
          opportunity,
          { name: "follow_up", state: "queued", object: "Event", body: { Subject: "Product demo", StartDateTime: new Date(start).toISOString(), DurationInMinutes: 30, WhoId: f.who_id } },
        ],
        problem: null,
      };
    }
    default: throw "command " + cmd + " not allowed";
  }
}, { shouldMockEvents: true });
window.__emit = (event, payload) => window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event, payload });
})();`;

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

async function openForm({ broken = false } = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await ipcMockScript({}) });
  await page.addInitScript({ content: mock(broken) });
  await page.goto(server.url);
  await page.waitForSelector("#call-log-start");
  await page.evaluate((draft) => {
    window.__draft = draft;
  }, DRAFT);
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "open_call_logs"));
  await page.evaluate((draft) => window.__emit("call-log-opened", { draft, auto_log_at_ms: Date.now() + 120_000 }), DRAFT);
  await page.waitForSelector('.call-log-form[data-call-id="call-77"]');
  return { page, errors, form: page.locator('.call-log-form[data-call-id="call-77"]') };
}

/** The last fields saved with the draft that satisfy `predicate` (a function source). */
async function savedWhen(page, predicate) {
  await page.waitForFunction(predicate);
  return page.evaluate(() => window.__lastFields);
}

test("Demo booked lists its actions; untick, a moved follow-up and About are saved with the draft and sent with Log call", async () => {
  const { page, errors, form } = await openForm();
  const actions = form.locator(".call-log-actions");
  assert.equal(await actions.isHidden(), true, "no outcome chosen: no actions shown");
  await form.locator(".call-log-disposition").fill("Demo booked");
  await form.locator('.call-log-action[data-action="follow_up"]').waitFor();
  assert.equal(plain(await actions.locator("legend").textContent()), en["callLog.actions.title"]);

  const text = async (name) => plain(await form.locator(`.call-log-action[data-action="${name}"] .call-log-action-text`).textContent());
  assert.equal(await text("lead"), "Lead → Status: Working - Contacted, Rating: Hot", "the Lead update with each field and value");
  assert.equal(
    await text("opportunity"),
    plain(fill(en["callLog.actions.noRecord"], { object: "Opportunity" })),
    "no Opportunity under About yet: said, not run",
  );
  assert.equal(await form.locator('.call-log-action[data-action="opportunity"] .call-log-action-run').isDisabled(), true);
  const followUp = await text("follow_up");
  assert.ok(followUp.includes("Product demo") && followUp.includes("30"), `the Event with its subject and length: ${followUp}`);
  const when = form.locator(".call-log-follow-up-at");
  assert.equal(await when.getAttribute("type"), "datetime-local", "an Event's date and time are adjustable");
  const defaultValue = await when.inputValue();
  assert.equal(
    defaultValue,
    await page.evaluate(() => {
      const at = new Date(Date.UTC(2026, 10, 24, 9, 0));
      const pad = (n) => String(n).padStart(2, "0");
      return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
    }),
    "the default is the planned start, in the agent's local time",
  );

  // Untick the follow-up: saved with the draft as a skipped action.
  await form.locator('.call-log-action[data-action="follow_up"] .call-log-action-run').uncheck();
  let saved = await savedWhen(page, () => window.__lastFields?.actions.skip.includes("follow_up"));
  assert.deepEqual(saved.actions.skip, ["follow_up"]);
  assert.equal(await form.locator('.call-log-action[data-action="follow_up"]').getAttribute("data-run"), "false");
  // Tick it again and move it.
  await form.locator('.call-log-action[data-action="follow_up"] .call-log-action-run').check();
  await savedWhen(page, () => window.__lastFields?.actions.skip.length === 0);
  await form.locator(".call-log-follow-up-at").fill("2026-11-27T15:45");
  const movedMs = await page.evaluate(() => new Date("2026-11-27T15:45").getTime());
  saved = await savedWhen(page, () => window.__lastFields?.actions.follow_up_at_ms !== null);
  assert.equal(saved.actions.follow_up_at_ms, movedMs, "the chosen local time, as epoch ms");
  await page.waitForFunction(
    (ms) => window.__calls.some((c) => c.cmd === "preview_call_actions" && c.args.fields.actions.follow_up_at_ms === ms),
    movedMs,
  );
  assert.equal(await form.locator(".call-log-follow-up-at").inputValue(), "2026-11-27T15:45", "the list shows the moved time");

  // About: the Opportunity makes its stage change possible.
  await form.locator(".call-log-what").selectOption(OPPORTUNITY);
  await form.locator('.call-log-action[data-action="opportunity"] .call-log-action-run:not([disabled])').waitFor();
  assert.equal(await text("opportunity"), "Opportunity → StageName: Qualification");
  // Untick the Lead update, then log.
  await form.locator('.call-log-action[data-action="lead"] .call-log-action-run').uncheck();
  await savedWhen(page, () => window.__lastFields?.actions.skip.includes("lead"));
  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-77"]');
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.equal(sent.disposition, "Demo booked");
  assert.equal(sent.what_id, OPPORTUNITY, "About sets the log's WhatId");
  assert.deepEqual(sent.actions, { skip: ["lead"], follow_up_at_ms: movedMs }, "Log call sends the agent's choices");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a skipped Chatter post says it is not posted and why, not that a FeedItem is not updated", async () => {
  const { page, errors, form } = await openForm();
  const text = () => form.locator('.call-log-action[data-action="chatter"] .call-log-action-text').textContent();
  await form.locator(".call-log-disposition").fill("Posted");
  await form.locator('.call-log-action[data-action="chatter"]').waitFor();
  assert.equal(plain(await text()), plain(en["callLog.actions.chatterNoAgent"]), "the feed is known; the signed-in user is not");
  assert.equal(await form.locator('.call-log-action[data-action="chatter"] .call-log-action-run').isDisabled(), true);
  await form.locator(".call-log-disposition").fill("Posted nowhere");
  await page.waitForFunction((want) => document.querySelector('.call-log-action[data-action="chatter"] .call-log-action-text')?.textContent === want, en["callLog.actions.chatterNoFeed"]);
  assert.ok(!(await text()).includes("FeedItem"), "no API name in the sentence");
  assert.deepEqual(errors, []);
  await page.close();
});

test("another outcome drops the choices made for the last one", async () => {
  const { page, errors, form } = await openForm();
  await form.locator(".call-log-disposition").fill("Demo booked");
  await form.locator('.call-log-action[data-action="follow_up"] .call-log-action-run').uncheck();
  await savedWhen(page, () => window.__lastFields?.actions.skip.includes("follow_up"));
  await form.locator(".call-log-disposition").fill("Resolved");
  const saved = await savedWhen(page, () => window.__lastFields?.disposition === "Resolved");
  assert.deepEqual(saved.actions, { skip: [], follow_up_at_ms: null });
  await page.waitForFunction(() => document.querySelector(".call-log-actions")?.hidden === true);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a config the shell cannot read says the actions are not applied, and the call is still logged", async () => {
  const { page, errors, form } = await openForm({ broken: true });
  await form.locator(".call-log-disposition").fill("Demo booked");
  const problem = form.locator(".call-log-actions-problem");
  await problem.waitFor();
  assert.equal(
    plain(await problem.textContent()),
    plain(fill(en["callLog.actions.notApplied"], { reason: "ringside.toml: expected a table" })),
    "says the actions are not applied, and why",
  );
  await form.locator(".call-log-submit").click();
  const result = page.locator('.call-log-result[data-call-id="call-77"]');
  await result.waitFor();
  assert.ok(
    plain(await result.textContent()).includes(plain(fill(en["callLog.actions.notApplied"], { reason: "ringside.toml: expected a table" }))),
    "the result line repeats it",
  );
  assert.match(await result.getAttribute("data-state"), /^(queued|pending)$/, "the log itself is queued");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Qualified says what the new Opportunity and the BANT notes do, without references; BANT is saved with the draft and sent", async () => {
  const { page, errors, form } = await openForm();
  const bant = form.locator(".call-log-bant");
  assert.equal(await bant.isHidden(), true, "no outcome with lead_notes: no BANT fields");
  await form.locator(".call-log-disposition").fill("Qualified");
  await form.locator('.call-log-action[data-action="create_opportunity"]').waitFor();
  await bant.waitFor({ state: "visible" });
  const text = async (name) => plain(await form.locator(`.call-log-action[data-action="${name}"] .call-log-action-text`).textContent());
  const close = await page.evaluate(() => new Intl.DateTimeFormat("en-US", { dateStyle: "medium" }).format(new Date(2026, 11, 22, 12)));
  assert.equal(
    await text("create_opportunity"),
    plain(fill(en["callLog.actions.createOpportunity"], { name: `${en["callLog.actions.accountName"]} – 2026-11-22`, stage: "Prospecting", date: close })),
    "name, stage and close date in words; the Account's name is read at send time, said so",
  );
  assert.equal(
    await text("lead_notes"),
    plain(fill(en["callLog.actions.leadNotesWaiting"], { object: "Lead" })),
    "no notes yet: the form says to write them",
  );
  assert.equal(await form.locator('.call-log-action[data-action="lead_notes"] .call-log-action-run').isDisabled(), true);
  for (const part of ["budget", "authority", "need", "timeline"]) {
    const label = plain(await bant.locator(`.call-log-bant-${part}-field .call-log-label`).textContent());
    assert.equal(label, en[`callLog.bant.${part}`], `the ${part} input is labelled`);
    assert.equal(await bant.locator(`input.call-log-bant-${part}`).getAttribute("dir"), "auto", "RTL-safe: the agent's words set their own direction");
    assert.equal(await bant.locator(`input.call-log-bant-${part}`).getAttribute("maxlength"), "1000", "at most what the core takes");
  }

  await bant.locator("input.call-log-bant-budget").fill("50k");
  await bant.locator("input.call-log-bant-need").fill("Headsets for 40 agents");
  const saved = await savedWhen(page, () => window.__lastFields?.actions.bant?.need === "Headsets for 40 agents");
  assert.deepEqual(saved.actions.bant, { budget: "50k", authority: "", need: "Headsets for 40 agents", timeline: "" }, "saved with the draft");
  await form.locator('.call-log-action[data-action="lead_notes"] .call-log-action-run:not([disabled])').waitFor();
  assert.equal(
    await text("lead_notes"),
    plain(fill(en["callLog.actions.leadNotes"], { object: "Lead", field: "Description" })),
    "the notes go to the Lead's Description, said in words",
  );
  assert.ok(!(await form.textContent()).includes("@{"), "no reference is ever shown");
  assert.equal(await bant.locator("input.call-log-bant-need").inputValue(), "Headsets for 40 agents", "typing is not undone by the list's refresh");

  // Another outcome hides the fields but keeps what was typed.
  await form.locator(".call-log-disposition").fill("Resolved");
  await page.waitForFunction(() => document.querySelector(".call-log-bant")?.hidden === true);
  await form.locator(".call-log-disposition").fill("Qualified");
  await bant.waitFor({ state: "visible" });
  assert.equal(await bant.locator("input.call-log-bant-budget").inputValue(), "50k", "nothing typed is lost");

  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-77"]');
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.deepEqual(sent.actions.bant, { budget: "50k", authority: "", need: "Headsets for 40 agents", timeline: "" }, "Log call sends the BANT notes");
  assert.deepEqual(errors, []);
  await page.close();
});

test("in Arabic the actions read in Arabic, without references, and the BANT group mirrors", async () => {
  const { page, errors } = await openForm();
  const ar = JSON.parse(await readFile(localeFile("ar"), "utf8"));
  await page.selectOption("#language-select", "ar");
  await page.waitForFunction(() => document.documentElement.dir === "rtl");
  const arForm = page.locator('.call-log-form[data-call-id="call-77"]');
  await arForm.locator(".call-log-disposition").fill("Qualified");
  await arForm.locator('.call-log-action[data-action="create_opportunity"]').waitFor();
  await arForm.locator(".call-log-bant").waitFor({ state: "visible" });
  const opportunity = plain(await arForm.locator('.call-log-action[data-action="create_opportunity"] .call-log-action-text').textContent());
  assert.ok(opportunity.includes(ar["callLog.actions.accountName"]) && opportunity.includes("Prospecting"), `Arabic line with the stage: ${opportunity}`);
  assert.equal(plain(await arForm.locator(".call-log-bant legend").textContent()), ar["callLog.bant.title"]);
  assert.equal(
    await arForm.locator(".call-log-bant").evaluate((el) => getComputedStyle(el).direction),
    "rtl",
    "the group follows the page's direction",
  );
  assert.ok(!(await arForm.textContent()).includes("@{"), "no reference is ever shown");
  assert.deepEqual(errors, []);
  await page.close();
});
