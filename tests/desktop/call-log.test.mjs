// The log form and the queue view in the real app window (target/debug/ringside-desktop with its
// in-process demo org), driven through tauri-driver → WebKitWebDriver; calls come from the real
// `ringside call ring|end` CLI, and what landed in Salesforce is read back from the demo org over
// HTTP. Run inside Xvfb and its own D-Bus session (run.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { appWithConfig, demoOrg as appDemoOrg, ringside } from "./call-log-app.mjs";

// The idle time after which a form left alone is logged anyway (read once at the app's start, so
// one value for every form here): short enough for the "logged anyway" test, long enough that
// the tests filling a form by hand finish before it on a loaded 2-core machine (they take a few
// seconds unloaded; at 6 s a slow run was logged automatically under the agent's hands).
const AUTO_LOG_SECS = 30;
// Jane Caller, the demo org's seeded Contact with an open Case.
const JANE = "+1 415 555 0123";
const run = Date.now().toString(36);
const id = (name) => `cl-${run}-${name}`;

let session;
let mainHandle;
const running = appWithConfig(`[logging]\nauto_log_after_secs = ${AUTO_LOG_SECS}\n`, async (app) => {
  session = app.session;
  mainHandle = await session.windowHandle();
});
/** The demo org the app started: `{ org, query, fault }`. */
const demoOrg = () => appDemoOrg(running.app);

/** Rings and ends a call through the real CLI, and waits for its log form in the main window. */
async function callEnds(callId, { duration = 42, ring = true } = {}) {
  if (ring) {
    const rang = await ringside(["call", "ring", "--call-id", callId, "--from", JANE, "--to", "+1 415 555 0100"]);
    assert.equal(rang.code, 0, `ringside call ring failed:\n${rang.stderr}`);
  }
  const ended = await ringside(["call", "end", "--call-id", callId, "--from", JANE, "--to", "+1 415 555 0100", "--duration", String(duration)]);
  assert.equal(ended.code, 0, `ringside call end failed:\n${ended.stderr}`);
  await session.switchToWindow(mainHandle);
  await session.click(await session.find("#nav-caller"));
  await session.waitFor(`.call-log-form[data-call-id="${callId}"]`, 20_000);
  return `.call-log-form[data-call-id="${callId}"]`;
}

async function waitForResult(callId, state, timeoutMs = 20_000) {
  await session.switchToWindow(mainHandle);
  await session.waitFor(`.call-log-result[data-call-id="${callId}"][data-state="${state}"]`, timeoutMs);
}

test("a call's end opens the log form prefilled with Jane and her open Case; Log call lands exactly one Task and one call log", async () => {
  const callId = id("logged");
  const form = await callEnds(callId);
  const matched = await session.text(await session.find(`${form} .call-log-matched`));
  assert.match(matched, /Jane Caller/, "the pop's matched Contact is on the form");
  const summary = await session.text(await session.find(`${form} .call-log-summary`));
  assert.match(summary, /0:42/, `the duration from the end event is shown: ${summary}`);
  const choices = [];
  for (const option of await session.findAll(`${form} .call-log-what option`)) choices.push(await session.text(option));
  const headsetCase = choices.find((choice) => choice.includes("Headset drops calls"));
  assert.ok(headsetCase, `her open Case is a WhatId choice; got ${JSON.stringify(choices)}`);

  // The demo org declares Disposition__c a picklist: the outcome is a select of its values.
  await session.waitFor(`${form} select.call-log-disposition`);
  await session.click(await session.find(`${form} .call-log-disposition option[value="Resolved"]`));
  await session.type(await session.find(`${form} .call-log-notes`), "Replaced the headset. 交換済み.");
  for (const option of await session.findAll(`${form} .call-log-what option`)) {
    if ((await session.text(option)).includes("Headset drops calls")) await session.click(option);
  }
  await session.click(await session.find(`${form} .call-log-submit`));
  await waitForResult(callId, "delivered");

  const { query } = await demoOrg();
  const tasks = await query(`SELECT Id, CallDisposition, Description, WhatId, WhoId, CallDurationInSeconds FROM Task WHERE CallObject = '${callId}'`);
  const logs = await query(`SELECT Id FROM Call_Log__c WHERE External_Id__c = '${callId}'`);
  assert.equal(tasks.length, 1, `exactly one Task for the call; got ${JSON.stringify(tasks)}`);
  assert.equal(logs.length, 1, `exactly one call log for the call; got ${JSON.stringify(logs)}`);
  assert.equal(tasks[0].CallDisposition, "Resolved");
  assert.equal(tasks[0].Description, "Replaced the headset. 交換済み.", "the notes arrive as typed");
  assert.equal(tasks[0].CallDurationInSeconds, 42);
  assert.ok(tasks[0].WhatId?.startsWith("500"), `the chosen Case is the WhatId: ${tasks[0].WhatId}`);
  assert.ok(tasks[0].WhoId?.startsWith("003"), `Jane is the WhoId: ${tasks[0].WhoId}`);

  await session.click(await session.find("#nav-queue"));
  await session.waitFor(`.queue-item[data-call-id="${callId}"][data-state="delivered"]`);
});

test("a form left alone is logged anyway after the idle time, and a call nobody answered is logged as missed", async () => {
  const callId = id("missed");
  const form = await callEnds(callId, { duration: 0 });
  assert.equal(await session.attribute(await session.find(form), "data-missed"), "true", "no talk time and no answer: missed");
  await session.waitFor(`.call-log-result[data-call-id="${callId}"] .call-log-result-auto`, (AUTO_LOG_SECS + 30) * 1000);
  await waitForResult(callId, "delivered");
  const { query } = await demoOrg();
  const tasks = await query(`SELECT Id, CallDisposition, Subject FROM Task WHERE CallObject = '${callId}'`);
  assert.equal(tasks.length, 1, `exactly one Task; got ${JSON.stringify(tasks)}`);
  assert.equal(tasks[0].CallDisposition, "Missed");
  assert.match(tasks[0].Subject, /^Missed call from/, "the subject says it was missed");
});

test("a log Salesforce refuses is a dead letter in the queue view; fixed and replayed it lands once", async (t) => {
  const { query, fault } = await demoOrg();
  const callId = id("dead");
  const form = await callEnds(callId, { ring: false, duration: 12 });
  const refused = await fault({
    kind: "error",
    method: "POST",
    path_prefix: "/services/data",
    times: 100,
    status: 400,
    body: [{ message: "Subject must name the product", errorCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION", fields: ["Subject"] }],
  });
  assert.equal(refused.status, 204, "the demo org takes the fault");
  t.after(() => fault({ kind: "clear" }));
  await session.type(await session.find(`${form} .call-log-subject`), "Question");
  await session.click(await session.find(`${form} .call-log-submit`));
  await waitForResult(callId, "dead");

  await session.click(await session.find("#nav-queue"));
  const item = `.queue-item[data-call-id="${callId}"]`;
  await session.waitFor(`${item}[data-state="dead"]`);
  const error = await session.text(await session.find(`${item} .queue-error`));
  assert.match(error, /FIELD_CUSTOM_VALIDATION_EXCEPTION.*Subject must name the product/, `Salesforce's message is shown: ${error}`);

  await fault({ kind: "clear" });
  await session.clickFresh(`${item} .queue-edit`);
  const subject = await session.find(`${item} .queue-edit-subject`);
  await session.clear(subject);
  await session.type(subject, "Question about the H2 headset");
  await session.clickFresh(`${item} .queue-save`);
  await session.waitFor(`${item}[data-state="dead"] .queue-replay`);
  await session.clickFresh(`${item} .queue-replay`);
  await session.waitFor(`${item}[data-state="delivered"]`, 20_000);

  const tasks = await query(`SELECT Id, Subject FROM Task WHERE CallObject = '${callId}'`);
  const logs = await query(`SELECT Id FROM Call_Log__c WHERE External_Id__c = '${callId}'`);
  assert.equal(tasks.length, 1, `exactly one Task after the replay; got ${JSON.stringify(tasks)}`);
  assert.equal(logs.length, 1, "exactly one call log after the replay");
  assert.equal(tasks[0].Subject, "Question about the H2 headset", "the admin's fix is what landed");

  const audit = await ringside(["audit", "--json"]);
  assert.equal(audit.code, 0, audit.stderr);
  const events = JSON.parse(audit.stdout).entries ?? JSON.parse(audit.stdout);
  const mine = (Array.isArray(events) ? events : []).filter((e) => e.call_id === callId).map((e) => `${e.event}:${e.actor}`);
  for (const expected of ["queued:agent", "dead:worker", "edited:admin", "replayed:admin", "sent:worker"]) {
    assert.ok(mine.includes(expected), `the audit log has ${expected}; got ${JSON.stringify(mine)}`);
  }
});
