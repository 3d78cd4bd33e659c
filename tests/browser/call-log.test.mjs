// The log form in Chromium with Tauri IPC mocked: a call's end (event `call-log-opened`) shows a
// form prefilled with the call and its matched record; edits reach the shell (idle time restarts);
// "Log call" sends the agent's fields and the result line follows the queue (queued → sent); notes
// over Salesforce's 32,000 characters are refused with the count before anything is sent; an
// automatic log replaces the form; "Log a call" opens an empty form with number inputs.
// Expected texts come from the catalogs, so these check wiring, not copy.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { FSI, PDI, catalog, ipcMockScript, launchBrowser, plain, serveDist } from "./harness.mjs";

const localeFile = (locale) => fileURLToPath(new URL(`../../ui/src/features/call-log/locales/${locale}.json`, import.meta.url));

const DRAFT = {
  call_id: "call-42",
  started_at_ms: Date.UTC(2026, 10, 22, 9, 30),
  missed: false,
  manual: false,
  matched: { id: "003000000000001AAA", object: "Contact", label: "Jane Caller" },
  what_choices: [
    { id: "006000000000001AAA", object: "Opportunity", label: "Headsets" },
    { id: "500000000000001AAA", object: "Case", label: "00001026 Headset drops calls" },
  ],
  candidates: [],
  pressed: [],
  fields: {
    direction: "inbound",
    from: "+14155550123",
    to: "+14155550100",
    duration_seconds: 95,
    disposition: "",
    subject: "",
    notes: "",
    who_id: "003000000000001AAA",
    what_id: null,
    summary: "",
    key_topics: [],
    memo: [],
    recording_url: "",
  },
  timing: { dialed_at_ms: Date.UTC(2026, 10, 22, 9, 29, 50), answered_at_ms: Date.UTC(2026, 10, 22, 9, 30), ended_at_ms: Date.UTC(2026, 10, 22, 9, 31, 35) },
};
const OPEN = { draft: DRAFT, auto_log_at_ms: Date.now() + 120_000 };

// A second mockIPC over the harness's: answers the log form's commands and records them.
const logFormMock = `(() => {
window.__state = "pending";
window.__calls = [];
window.__tauriMocks.mockIPC(async (cmd, args) => {
  window.__calls.push({ cmd, args });
  switch (cmd) {
    case "current_org": return { org: { alias: null, username: null, instance_url: "http://127.0.0.1:1", demo: true }, problem: null };
    case "open_call_logs": return [];
    case "update_call_log": window.__lastFields = args.fields; return { draft: { ...window.__draft, fields: args.fields }, auto_log_at_ms: Date.now() + 120000 };
    case "log_call":
      if ((args.fields.memo ?? []).includes("Golf")) throw { code: "call_log_invalid", message: "the memo value Golf is not one of the values of Call_Log__c.Memo__c in this org" };
      return { call_id: args.callId, outcome: "queued", queue_id: 7, automatic: false, message: null };
    case "call_log_state": return window.__state;
    case "start_call_log": return { draft: { ...window.__draft, call_id: "rs-manual", manual: true, matched: null, what_choices: [], fields: { direction: "inbound", from: "", to: "", duration_seconds: 0, disposition: "", subject: "", notes: "", who_id: null, what_id: null, summary: "", key_topics: [], memo: [], recording_url: "" }, timing: {} }, auto_log_at_ms: null };
    case "call_log_options":
      if (!window.__options) throw { code: "describe_failed", message: "no describe in this test" };
      return window.__options;
    case "choose_call_record": {
      const chosen = window.__draft.candidates.find((c) => c.record.id === args.recordId);
      const isPerson = chosen.record.object === "Contact" || chosen.record.object === "Lead";
      window.__draft = { ...window.__draft, matched: chosen.record, what_choices: chosen.what_choices, fields: { ...window.__lastFields ?? window.__draft.fields, who_id: isPerson ? chosen.record.id : null, what_id: null } };
      return { draft: window.__draft, auto_log_at_ms: Date.now() + 120000 };
    }
    case "press_call_intent":
      if (args.input === "bad") throw { code: "intent_invalid", message: "intent call_summary: is too long" };
      window.__draft = { ...window.__draft, fields: window.__lastFields ?? window.__draft.fields, pressed: [{ name: args.name, record: "task", field: "Description", input: args.input, value: args.input }] };
      return { draft: window.__draft, auto_log_at_ms: Date.now() + 120000 };
    case "release_call_intent":
      window.__draft = { ...window.__draft, fields: window.__lastFields ?? window.__draft.fields, pressed: [] };
      return { draft: window.__draft, auto_log_at_ms: Date.now() + 120000 };
    case "queue_overview": return { counts: { pending: 0, in_flight: 0, delivered: 0, dead: 0 }, entries: [], problem: null, notice: null };
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

async function openForm({ draft = DRAFT, options = null } = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await ipcMockScript({}) });
  await page.addInitScript({ content: logFormMock });
  // The form asks for its options as it mounts: they must be there before the page loads.
  await page.addInitScript({ content: `window.__options = ${JSON.stringify(options)};` });
  await page.goto(server.url);
  await page.waitForSelector("#call-log-start");
  await page.evaluate((draft) => {
    window.__draft = draft;
  }, draft);
  // The form listens before the shell could send; wait until it asked for open forms.
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "open_call_logs"));
  await page.evaluate((open) => window.__emit("call-log-opened", open), { draft, auto_log_at_ms: OPEN.auto_log_at_ms });
  await page.waitForSelector('.call-log-form[data-call-id="call-42"]');
  return { page, errors };
}

test("a call's end shows the form prefilled with the call and its matched record", async () => {
  const { page, errors } = await openForm();
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  const summary = await form.locator(".call-log-summary").textContent();
  assert.ok(summary.includes("+14155550123") && summary.includes("+14155550100"), `both numbers are shown: ${summary}`);
  assert.ok(summary.includes("1:35"), `the duration (95 s) is shown as 1:35: ${summary}`);
  assert.ok(summary.includes(en["callLog.inbound"]), `the direction is shown: ${summary}`);
  assert.match(await form.locator(".call-log-matched").textContent(), /Jane Caller/, "the matched Contact is named");
  const options = await form.locator(".call-log-what option").allTextContents();
  assert.deepEqual(options.slice(1).map(plain), ["Opportunity: Headsets", "Case: 00001026 Headset drops calls"], "her open Opportunity and Case are the WhatId choices");
  assert.equal(await page.evaluate(() => document.activeElement?.className), "call-log-disposition", "keyboard-first: the outcome field has focus");
  assert.deepEqual(errors, []);
  await page.close();
});

test("edits reach the shell, and Log call sends the agent's fields and follows the queue to sent", async () => {
  const { page, errors } = await openForm();
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  await form.locator(".call-log-disposition").fill("Resolved");
  await form.locator(".call-log-subject").fill("Headset replaced");
  await form.locator(".call-log-what").selectOption("500000000000001AAA");
  await form.locator(".call-log-notes").fill("Sent a new headset — 新しいヘッドセット");
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "update_call_log" && c.args.fields.notes.includes("新しい")));
  await page.evaluate(() => {
    window.__loggedForm = document.querySelector('.call-log-form[data-call-id="call-42"]');
  });
  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-42"]');
  assert.deepEqual(
    await page.evaluate(() => [window.__loggedForm.isConnected, window.__loggedForm.childElementCount]),
    [false, 0],
    "the logged form is out of the page and emptied: WebKitGTK never frees a <form> dropped with its controls in it",
  );
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args);
  assert.equal(sent.callId, "call-42");
  assert.equal(sent.fields.disposition, "Resolved");
  assert.equal(sent.fields.subject, "Headset replaced");
  assert.equal(sent.fields.what_id, "500000000000001AAA", "the chosen Case is the WhatId");
  assert.equal(sent.fields.who_id, "003000000000001AAA", "the matched Contact stays the WhoId");
  assert.equal(sent.fields.notes, "Sent a new headset — 新しいヘッドセット", "non-Latin notes are sent as typed");
  assert.equal(await page.locator(".call-log-form").count(), 0, "the logged form is closed");
  const result = page.locator('.call-log-result[data-call-id="call-42"]');
  assert.match(await result.getAttribute("data-state"), /^(queued|pending)$/, "right after Log call it is queued");
  await page.evaluate(() => {
    window.__resultLine = document.querySelector('.call-log-result[data-call-id="call-42"]');
  });

  await page.evaluate(() => {
    window.__state = "delivered";
    return window.__emit("queue-changed", { pending: 0, in_flight: 0, delivered: 1, dead: 0 });
  });
  await page.waitForSelector('.call-log-result[data-call-id="call-42"][data-state="delivered"]');
  assert.ok((await result.textContent()).includes(en["callLog.result.delivered"].replace("{call}: ", "")), "the line says sent");
  assert.ok(
    await page.evaluate(() => window.__resultLine === document.querySelector('.call-log-result[data-call-id="call-42"]')),
    "the line is changed in place, not made anew on each state change (DOM churn per call)",
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("the AI summary, key topics and recording link are saved with the draft and sent; a non-web link is refused in words", async () => {
  const { page, errors } = await openForm();
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  await form.locator(".call-log-ai-summary").fill("Wants a quote.\nCall back Friday.");
  await form.locator(".call-log-key-topics").fill("Pricing、Renewal, Demo");
  await form.locator(".call-log-recording-url").fill("javascript:alert(1)");
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "update_call_log" && c.args.fields.key_topics.length === 3));
  const saved = await page.evaluate(() => window.__lastFields);
  assert.deepEqual(saved.key_topics, ["Pricing", "Renewal", "Demo"], "the Japanese and Latin commas both separate topics");
  assert.equal(saved.summary, "Wants a quote.\nCall back Friday.", "the summary keeps its line break in the draft");
  await form.locator(".call-log-submit").click();
  const refusal = form.locator(".call-log-recording-error");
  await refusal.waitFor({ state: "visible" });
  assert.equal(await refusal.textContent(), en["callLog.recordingUrlInvalid"]);
  assert.equal(await page.evaluate(() => window.__calls.filter((c) => c.cmd === "log_call").length), 0, "nothing is sent with a bad link");
  await form.locator(".call-log-recording-url").fill("https://recordings.example/call-42.wav");
  assert.equal(await refusal.isHidden(), true, "a web link clears the refusal");
  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-42"]');
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.equal(sent.summary, "Wants a quote.\nCall back Friday.");
  assert.deepEqual(sent.key_topics, ["Pricing", "Renewal", "Demo"]);
  assert.equal(sent.recording_url, "https://recordings.example/call-42.wav");
  assert.deepEqual(errors, []);
  await page.close();
});

test("notes over 32,000 characters are refused with the count before anything is sent", async () => {
  const { page } = await openForm();
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  // 40,000 characters of Japanese, plus emoji that are 2 UTF-16 units but 1 character each.
  const notes = "議事録".repeat(13_333) + "😀";
  await form.locator(".call-log-notes").fill(notes);
  const count = form.locator(".call-log-notes-count");
  await page.waitForSelector('.call-log-notes-count[data-over="true"]');
  const text = await count.textContent();
  assert.ok(text.includes("40,000") && text.includes("32,000") && text.includes("8,000"), `the count, the limit and how much to cut: ${text}`);
  assert.equal(await form.locator(".call-log-submit").isDisabled(), true, "Log call is disabled while the notes are too long");
  await form.locator(".call-log-notes").press("Enter");
  assert.equal(await page.evaluate(() => window.__calls.filter((c) => c.cmd === "log_call").length), 0, "nothing is sent, and nothing is cut");
  await form.locator(".call-log-notes").fill("😀".repeat(32_000));
  await page.waitForSelector('.call-log-notes-count[data-over="false"]');
  assert.equal(await form.locator(".call-log-submit").isDisabled(), false, "32,000 emoji are 32,000 characters: allowed");
  await page.close();
});

test("an automatic log closes the form and says it was logged automatically", async () => {
  const { page } = await openForm();
  await page.evaluate(() => window.__emit("call-log-logged", { call_id: "call-42", outcome: "queued", queue_id: 8, automatic: true, message: null }));
  await page.waitForSelector('.call-log-result[data-call-id="call-42"] .call-log-result-auto');
  assert.equal(await page.locator(".call-log-form").count(), 0, "the form the idle rule logged is gone");
  assert.equal(await page.locator(".call-log-result-auto").textContent(), en["callLog.result.automatic"]);
  await page.close();
});

test("result lines stop at the newest 20, newest first, so a long day does not grow the page", async () => {
  const { page } = await openForm();
  await page.evaluate(async () => {
    for (let n = 1; n <= 25; n++) {
      await window.__emit("call-log-logged", { call_id: `auto-${n}`, outcome: "queued", queue_id: n, automatic: true, message: null });
    }
  });
  await page.waitForSelector('.call-log-result[data-call-id="auto-25"]');
  const shown = await page.locator(".call-log-result").evaluateAll((items) => items.map((item) => item.dataset.callId));
  assert.deepEqual(
    shown,
    Array.from({ length: 20 }, (_, i) => `auto-${25 - i}`),
    "the 20 newest results, newest first; the five oldest are dropped",
  );
  await page.close();
});

test("Log a call opens an empty form that asks for the numbers", async () => {
  const { page } = await openForm();
  await page.click("#call-log-start");
  const form = page.locator('.call-log-form[data-call-id="rs-manual"]');
  await form.waitFor();
  assert.equal(await form.getAttribute("data-manual"), "true");
  await form.locator(".call-log-from").fill("+14155550199");
  await form.locator(".call-log-to").fill("+14155550100");
  await form.locator(".call-log-direction").selectOption("outbound");
  await form.locator(".call-log-duration").fill("60");
  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="rs-manual"]');
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.deepEqual(
    { direction: sent.direction, from: sent.from, to: sent.to, duration: sent.duration_seconds },
    { direction: "outbound", from: "+14155550199", to: "+14155550100", duration: 60 },
    "the typed call is what is logged",
  );
  await page.close();
});

const JANE_LEAD = { id: "00Q000000000002AAA", object: "Lead", label: "Jane Caller (Lead)" };
const TWO_MATCHES = {
  ...DRAFT,
  candidates: [
    { record: DRAFT.matched, what_choices: DRAFT.what_choices },
    { record: JANE_LEAD, what_choices: [] },
  ],
};

test("several matched records: a picker defaults to the first, and the chosen one is the WhoId", async () => {
  const { page, errors } = await openForm({ draft: TWO_MATCHES });
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  const picker = form.locator(".call-log-who");
  assert.deepEqual((await picker.locator("option").allTextContents()).map(plain), ["Contact: Jane Caller", "Lead: Jane Caller (Lead)"], "both records are offered");
  assert.equal(await picker.inputValue(), DRAFT.matched.id, "the best match is the default");
  await form.locator(".call-log-notes").fill("typed before picking");
  await picker.selectOption(JANE_LEAD.id);
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "choose_call_record"));
  const order = await page.evaluate(() => window.__calls.map((c) => c.cmd).filter((c) => c === "update_call_log" || c === "choose_call_record"));
  assert.equal(order.at(-1), "choose_call_record", "what was typed is saved before the pick");
  assert.ok(order.includes("update_call_log"), "the notes reached the shell first");
  await page.waitForFunction(() => document.querySelector(".call-log-who")?.value === "00Q000000000002AAA");
  const relocated = page.locator('.call-log-form[data-call-id="call-42"]');
  assert.equal(await relocated.locator(".call-log-what").count(), 0, "the Lead has no Opportunities or Cases to offer");
  assert.equal(await relocated.locator(".call-log-notes").inputValue(), "typed before picking", "the notes survive the re-render");
  await relocated.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-42"]');
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.equal(sent.who_id, JANE_LEAD.id, "the picked Lead is the WhoId, not the first match");
  assert.deepEqual(errors, []);
  await page.close();
});

test("one match: no picker, the record is named", async () => {
  const { page } = await openForm();
  assert.equal(await page.locator(".call-log-who").count(), 0);
  assert.equal(await page.locator(".call-log-matched").count(), 1);
  await page.close();
});

test("a picklist outcome is a select of the org's values; without a describe it stays free text", async () => {
  const { page, errors } = await openForm({ options: { intents: [], dispositions: ["Resolved", "Call back"], memo: { kind: "none" } } });
  await page.waitForFunction(() => document.querySelector(".call-log-disposition")?.tagName === "SELECT");
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  const values = await form.locator(".call-log-disposition option").evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(values, ["", "Resolved", "Call back"], "the org's values, and no outcome yet");
  await form.locator(".call-log-disposition").selectOption("Call back");
  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-42"]');
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.equal(sent.disposition, "Call back");
  assert.deepEqual(errors, []);
  await page.close();

  const free = await openForm();
  await free.page.waitForFunction(() => window.__calls.some((c) => c.cmd === "call_log_options"));
  assert.equal(await free.page.locator(".call-log-disposition").evaluate((e) => e.tagName), "INPUT", "free text with suggestions");
  await free.page.close();
});

test("a call intent is pressed with its text, shown pressed, refused in words when it does not fit, and taken back", async () => {
  const summary = { record: "task", name: "call_summary", field: "Description", label: "Call summary", kind: "typed", length: 32000 };
  const { page, errors } = await openForm({ options: { intents: [summary], dispositions: null, memo: { kind: "none" } } });
  const intent = page.locator('.call-log-intent[data-intent="call_summary"]');
  await intent.waitFor();
  await intent.locator(".call-log-intent-input").fill("bad");
  await intent.locator(".call-log-intent-button").click();
  await page.waitForFunction(() => document.querySelector(".call-log-error")?.textContent.includes("too long"));
  await page.locator('.call-log-intent[data-intent="call_summary"] .call-log-intent-input').fill("Wants the enterprise plan");
  await page.evaluate(() => {
    window.__formBeforePress = document.querySelector('.call-log-form[data-call-id="call-42"]');
  });
  await page.locator('.call-log-intent[data-intent="call_summary"] .call-log-intent-button').click();
  await page.waitForSelector('.call-log-intent[data-intent="call_summary"][data-pressed="true"]');
  assert.deepEqual(
    await page.evaluate(() => [window.__formBeforePress.isConnected, window.__formBeforePress.childElementCount]),
    [false, 0],
    "the form the press re-rendered is out of the page and emptied (a <form> dropped whole is never freed by WebKitGTK)",
  );
  const press = await page.evaluate(() => window.__calls.filter((c) => c.cmd === "press_call_intent").at(-1).args);
  assert.deepEqual(press, { callId: "call-42", name: "call_summary", input: "Wants the enterprise plan" });
  const pressed = page.locator('.call-log-intent[data-intent="call_summary"]');
  assert.equal(await pressed.locator(".call-log-intent-button").getAttribute("aria-pressed"), "true");
  assert.equal(await pressed.locator(".call-log-intent-input").inputValue(), "Wants the enterprise plan", "the pressed value is shown");
  await pressed.locator(".call-log-intent-button").click();
  await page.waitForSelector('.call-log-intent[data-intent="call_summary"][data-pressed="false"]');
  assert.ok(await page.evaluate(() => window.__calls.some((c) => c.cmd === "release_call_intent" && c.args.name === "call_summary")));
  assert.deepEqual(errors, []);
  await page.close();
});

// Issue 14 item 15: in Arabic the summary showed "+1 415 555 0123" as "0123 555 415 +1" (digit
// groups take the sentence's right-to-left order), and "unknown" and the object names stayed English.
const ARABIC_CALL = {
  ...DRAFT,
  what_choices: DRAFT.what_choices,
  fields: { ...DRAFT.fields, from: "+1 415 555 0123", to: "unknown" },
};

test("in Arabic the log form isolates the caller's number so it reads +1 415 555 0123, and names unknown and the objects in Arabic", async () => {
  const ar = JSON.parse(await readFile(localeFile("ar"), "utf8"));
  const shell = await catalog("ar");
  const { page, errors } = await openForm({ draft: ARABIC_CALL });
  await page.selectOption("#language-select", "ar");
  await page.waitForFunction(() => document.documentElement.dir === "rtl");
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  const summary = await form.locator(".call-log-summary").textContent();
  assert.ok(summary.includes(`${FSI}+1 415 555 0123${PDI}`), `the number is its own isolate in the Arabic sentence: ${JSON.stringify(summary)}`);
  assert.ok(summary.includes(`${FSI}${ar["callLog.unknownNumber"]}${PDI}`), `the missing callee is "unknown" in Arabic: ${summary}`);
  assert.ok(!/unknown/i.test(summary), `no English "unknown" is left: ${summary}`);

  // What the agent sees: the groups laid out left to right, "+1" first, 0123 last.
  const order = await page.evaluate(() => {
    const node = document.querySelector(".call-log-summary").firstChild;
    const x = (needle) => {
      const at = node.textContent.indexOf(needle);
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      return range.getBoundingClientRect().left;
    };
    return { plus: x("+1"), g415: x("415"), g555: x("555"), g0123: x("0123") };
  });
  assert.ok(
    order.plus < order.g415 && order.g415 < order.g555 && order.g555 < order.g0123,
    `the digit groups keep their order on screen (left edges ${JSON.stringify(order)}), not 0123 555 415 +1`,
  );

  const matched = await form.locator(".call-log-matched").textContent();
  assert.ok(matched.includes(shell["object.Contact"]) && !matched.includes("Contact"), `the object is named in Arabic: ${matched}`);
  assert.ok(matched.includes(`${FSI}Jane Caller${PDI}`), `the name is isolated too: ${matched}`);
  const choices = (await form.locator(".call-log-what option").allTextContents()).slice(1).map(plain);
  assert.deepEqual(
    choices,
    [`${shell["object.Opportunity"]}: Headsets`, `${shell["object.Case"]}: 00001026 Headset drops calls`],
    "Opportunity and Case are named in Arabic in the About picker",
  );

  // The marks are for the eye only: what is logged is the shell's own values.
  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-42"]');
  const sent = await page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.equal(sent.from, "+1 415 555 0123", "the number is sent as it came, without isolate marks");
  assert.equal(sent.to, "unknown", "the shell's value is sent back unchanged, not the translation");
  assert.ok(!/[\u2066-\u2069]/.test(JSON.stringify(sent)), "no isolate mark reaches the shell");
  const result = await page.locator('.call-log-result[data-call-id="call-42"] .call-log-result-text').textContent();
  assert.ok(result.includes(`${FSI}+1 415 555 0123${PDI}`), `the result line isolates the number inside the caller's label: ${JSON.stringify(result)}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a multi-select memo is a group of the org's values; the ticked ones are sent, a refused one keeps the form and what was ticked", async () => {
  const memo = { kind: "picklist", values: ["Pricing", "Demo requested", "Budget confirmed"] };
  // A value the saved form held that the org no longer lists is shown ticked, not dropped.
  const held = { ...DRAFT, fields: { ...DRAFT.fields, memo: ["Golf"] } };
  const { page, errors } = await openForm({ draft: held, options: { intents: [], dispositions: null, memo } });
  // The language chosen by an earlier test is remembered: this one reads English.
  await page.selectOption("#language-select", "en");
  await page.waitForFunction(() => document.documentElement.dir === "ltr");
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  await form.locator("fieldset.call-log-memo").waitFor();
  assert.equal(await form.locator("fieldset.call-log-memo legend").textContent(), en["callLog.memo"]);
  const boxes = form.locator(".call-log-memo-option input[type=checkbox]");
  assert.deepEqual(await boxes.evaluateAll((all) => all.map((b) => [b.value, b.checked])), [
    ["Pricing", false],
    ["Demo requested", false],
    ["Budget confirmed", false],
    ["Golf", true],
  ]);
  assert.equal(await form.locator('.call-log-memo-option[data-unlisted="true"]').count(), 1, "the unlisted value is marked");
  await form.locator('.call-log-memo-option input[value="Pricing"]').check();
  await form.locator('.call-log-memo-option input[value="Demo requested"]').check();
  await form.locator(".call-log-submit").click();
  // Refused in words (the shell checks the org's values), the form stays with every tick.
  await form.locator(".call-log-error:not([hidden])").waitFor();
  assert.match(await form.locator(".call-log-error").textContent(), /Golf/);
  assert.deepEqual(await boxes.evaluateAll((all) => all.filter((b) => b.checked).map((b) => b.value)), ["Pricing", "Demo requested", "Golf"]);
  await form.locator('.call-log-memo-option input[value="Golf"]').uncheck();
  await form.locator(".call-log-submit").click();
  await page.waitForSelector('.call-log-result[data-call-id="call-42"]');
  const sent = await page.evaluate(() => window.__calls.filter((c) => c.cmd === "log_call").at(-1).args.fields);
  assert.deepEqual(sent.memo, ["Pricing", "Demo requested"], "the ticked values, in the org's order");
  assert.deepEqual(errors, []);
  await page.close();

  // A text memo field: typed values, separated like key topics.
  const text = await openForm({ options: { intents: [], dispositions: null, memo: { kind: "text" } } });
  const textForm = text.page.locator('.call-log-form[data-call-id="call-42"]');
  await textForm.locator("input.call-log-memo").fill("pricing, next steps");
  await textForm.locator(".call-log-submit").click();
  await text.page.waitForSelector('.call-log-result[data-call-id="call-42"]');
  const typed = await text.page.evaluate(() => window.__calls.find((c) => c.cmd === "log_call").args.fields);
  assert.deepEqual(typed.memo, ["pricing", "next steps"]);
  await text.page.close();

  // No memo field in the org: no memo control.
  const none = await openForm({ options: { intents: [], dispositions: null, memo: { kind: "none" } } });
  await none.page.waitForFunction(() => window.__calls.some((c) => c.cmd === "call_log_options"));
  assert.equal(await none.page.locator(".call-log-memo").count(), 0);
  await none.page.close();
});

test("the memo group reads in every locale and lays out right to left in Arabic", async () => {
  for (const locale of ["en", "de", "fr", "tr", "ja", "ar"]) {
    const words = JSON.parse(await readFile(localeFile(locale), "utf8"));
    assert.ok(words["callLog.memo"] && words["callLog.memoHint"], `${locale} has the memo strings`);
  }
  const ar = JSON.parse(await readFile(localeFile("ar"), "utf8"));
  const memo = { kind: "picklist", values: ["Pricing", "Demo requested"] };
  const { page, errors } = await openForm({ options: { intents: [], dispositions: null, memo } });
  await page.selectOption("#language-select", "ar");
  await page.waitForFunction(() => document.documentElement.dir === "rtl");
  const form = page.locator('.call-log-form[data-call-id="call-42"]');
  await form.locator("fieldset.call-log-memo").waitFor();
  assert.equal(await form.locator("fieldset.call-log-memo legend").textContent(), ar["callLog.memo"]);
  // Right to left: the first value's box sits to the right of the second's.
  const [first, second] = await form
    .locator(".call-log-memo-option")
    .evaluateAll((all) => all.map((label) => label.getBoundingClientRect().left));
  assert.ok(first > second, `the options run right to left (${first}, ${second})`);
  await page.selectOption("#language-select", "en");
  assert.deepEqual(errors, []);
  await page.close();
});
