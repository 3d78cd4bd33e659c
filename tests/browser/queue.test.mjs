// The queue view in Chromium with Tauri IPC mocked: counts, pending and dead items with their
// last error in words (held for a signed-out org, unreachable, refused), editing a dead letter's
// fields and replaying it, Replay all, a refresh on the shell's `queue-changed` event, and the
// database problem shown in the view and on the log form. Texts come from the catalogs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fill, ipcMockScript, launchBrowser, plain, serveDist } from "./harness.mjs";

const localeFile = (locale) => fileURLToPath(new URL(`../../ui/src/features/queue/locales/${locale}.json`, import.meta.url));

const entry = (over) => ({
  id: 1,
  call_id: "c-1",
  state: "pending",
  attempts: 0,
  last_error_code: null,
  last_error: null,
  held_for: null,
  reason: null,
  from: "+14155550123",
  to: "+14155550100",
  started_at_ms: Date.UTC(2026, 10, 22, 9, 0),
  subject: "",
  disposition: "",
  notes: "",
  who_id: "003000000000001AAA",
  what_id: null,
  actions_of_call: null,
  actions: [],
  ...over,
});
const OVERVIEW = {
  counts: { pending: 2, in_flight: 0, delivered: 5, dead: 1 },
  entries: [
    entry({ id: 1, call_id: "held-1", held_for: "prod", reason: "held" }),
    entry({ id: 2, call_id: "down-1", attempts: 0, last_error_code: "TRANSPORT_CONNECT", last_error: "could not connect", reason: "unreachable" }),
    entry({
      id: 3,
      call_id: "dead-1",
      state: "dead",
      attempts: 1,
      last_error_code: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
      last_error: "Subject must name the product",
      reason: "refused",
      subject: "Question",
      disposition: "Resolved",
      notes: "ملاحظات العميل",
    }),
  ],
  problem: null,
  notice: null,
};

const queueMock = (overview) => `(() => {
window.__overview = ${JSON.stringify(overview)};
window.__calls = [];
window.__tauriMocks.mockIPC(async (cmd, args) => {
  window.__calls.push({ cmd, args });
  switch (cmd) {
    case "current_org": return { org: { alias: null, username: null, instance_url: "http://127.0.0.1:1", demo: true }, problem: null };
    case "queue_overview": return window.__overview;
    case "open_call_logs": return [];
    case "edit_queued_call_log": return null;
    case "replay_queued_call_log": return null;
    case "replay_all_call_logs": return 1;
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

async function openQueue(overview = OVERVIEW) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await ipcMockScript({}) });
  await page.addInitScript({ content: queueMock(overview) });
  await page.goto(server.url);
  await page.click("#nav-queue");
  await page.waitForSelector('#view-queue:not([hidden]) .queue-item[data-call-id="dead-1"]');
  return { page, errors };
}

test("counts and each item's state and reason in words", async () => {
  const { page, errors } = await openQueue();
  const count = (state) => page.locator(`#queue-counts [data-count="${state}"]`).textContent();
  assert.deepEqual(
    [await count("pending"), await count("in_flight"), await count("delivered"), await count("dead")],
    ["2", "0", "5", "1"],
  );
  const reason = (id) => page.locator(`.queue-item[data-call-id="${id}"] .queue-reason`).textContent();
  assert.equal(await reason("held-1"), fill(en["queue.reason.held"], { org: "prod" }), "a signed-out org's log says it waits for that org");
  assert.equal(await reason("down-1"), en["queue.reason.unreachable"]);
  assert.equal(await reason("dead-1"), en["queue.reason.refused"], "a refused log says to fix and replay");
  assert.equal(
    await page.locator('.queue-item[data-call-id="dead-1"] .queue-error').textContent(),
    "FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject must name the product",
    "Salesforce's own message is shown for the admin",
  );
  assert.equal(await page.locator('.queue-item[data-call-id="held-1"] .queue-replay').count(), 0, "only dead letters are replayed");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a dead letter's fields are edited, then it is replayed; Replay all replays every dead letter", async () => {
  const { page } = await openQueue();
  const item = page.locator('.queue-item[data-call-id="dead-1"]');
  await item.locator(".queue-edit").click();
  assert.equal(await item.locator(".queue-edit-notes").inputValue(), "ملاحظات العميل", "the editor starts from the queued values");
  await item.locator(".queue-edit-subject").fill("Question about the H2 headset");
  await item.locator(".queue-edit-what").fill("500000000000001AAA");
  await item.locator(".queue-save").click();
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "edit_queued_call_log"));
  const edit = await page.evaluate(() => window.__calls.find((c) => c.cmd === "edit_queued_call_log").args);
  assert.equal(edit.id, 3);
  assert.deepEqual(
    edit.edit,
    { subject: "Question about the H2 headset", disposition: "Resolved", notes: "ملاحظات العميل", who_id: "003000000000001AAA", what_id: "500000000000001AAA" },
    "the whole corrected log is sent, unchanged fields kept",
  );
  await page.waitForSelector("#queue-message:has-text('Saved')");
  await item.locator(".queue-replay").click();
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "replay_queued_call_log" && c.args.id === 3));
  await page.click("#queue-replay-all");
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "replay_all_call_logs"));
  await page.close();
});

test("a queue-changed event from the worker refreshes the view", async () => {
  const { page } = await openQueue();
  await page.evaluate(() => {
    window.__overview = {
      ...window.__overview,
      counts: { pending: 1, in_flight: 0, delivered: 6, dead: 0 },
      entries: window.__overview.entries.filter((e) => e.call_id !== "dead-1"),
    };
    return window.__emit("queue-changed", { pending: 1, in_flight: 0, delivered: 6, dead: 0 });
  });
  await page.waitForSelector('#queue-counts [data-count="dead"]:has-text("0")');
  assert.equal(await page.locator('.queue-item[data-call-id="dead-1"]').count(), 0, "the delivered dead letter is gone from the list");
  assert.equal(await page.locator("#queue-replay-all").isDisabled(), true, "nothing left to replay");
  await page.close();
});

test("a hidden queue view does not ask for the queue on each change, and shows the latest when opened", async () => {
  const { page } = await openQueue();
  await page.click("#nav-caller");
  await page.waitForSelector("#view-queue[hidden]", { state: "attached" });
  const asked = () => page.evaluate(() => window.__calls.filter((c) => c.cmd === "queue_overview").length);
  const before = await asked();
  await page.evaluate(() => {
    window.__overview = {
      ...window.__overview,
      counts: { pending: 1, in_flight: 0, delivered: 6, dead: 0 },
      entries: window.__overview.entries.filter((e) => e.call_id !== "dead-1"),
    };
    for (let n = 0; n < 5; n++) window.__emit("queue-changed", { pending: 1, in_flight: 0, delivered: 6, dead: 0 });
  });
  await page.waitForTimeout(200);
  assert.equal(await asked(), before, "five changes while the view is hidden ask the shell nothing");
  await page.click("#nav-queue");
  await page.waitForSelector('#queue-counts [data-count="dead"]:has-text("0")');
  assert.equal(await page.locator('.queue-item[data-call-id="dead-1"]').count(), 0, "opening the view shows the queue as it is now");
  await page.close();
});

test("what the admin types in a dead letter's editor survives other calls' queue changes", async () => {
  const { page } = await openQueue();
  const item = page.locator('.queue-item[data-call-id="dead-1"]');
  await item.locator(".queue-edit").click();
  await item.locator(".queue-edit-subject").fill("Half-typed fix");
  // Another call moves on (its item changes) while the admin is typing.
  await page.evaluate(() => {
    window.__overview = {
      ...window.__overview,
      counts: { pending: 1, in_flight: 0, delivered: 6, dead: 1 },
      entries: window.__overview.entries.filter((e) => e.call_id !== "down-1"),
    };
    return window.__emit("queue-changed", { pending: 1, in_flight: 0, delivered: 6, dead: 1 });
  });
  await page.waitForSelector('#queue-counts [data-count="delivered"]:has-text("6")');
  assert.equal(await item.locator(".queue-edit-subject").inputValue(), "Half-typed fix", "the typed text is kept");
  assert.equal(
    await page.evaluate(() => document.activeElement?.classList.contains("queue-edit-subject")),
    true,
    "the caret stays in the field being typed in",
  );
  // An unchanged answer re-renders nothing: the replay button is the same node.
  await page.evaluate(() => {
    window.__replayButton = document.querySelector('.queue-item[data-call-id="dead-1"] .queue-replay');
    return window.__emit("queue-changed", { pending: 1, in_flight: 0, delivered: 6, dead: 1 });
  });
  await page.waitForFunction(() => window.__calls.filter((c) => c.cmd === "queue_overview").length >= 3);
  await page.waitForTimeout(100);
  assert.equal(
    await page.evaluate(() => window.__replayButton === document.querySelector('.queue-item[data-call-id="dead-1"] .queue-replay')),
    true,
    "buttons are not replaced under the pointer when nothing changed",
  );
  await page.close();
});

test("a database problem is shown in the queue view and above the log form", async () => {
  const problem = "the call-log database /home/a/ringside.db is read-only; Ringside will not change it. Make it writable (chmod u+w) and try again.";
  const page = await browser.context.newPage();
  await page.addInitScript({ content: await ipcMockScript({}) });
  await page.addInitScript({ content: queueMock({ counts: { pending: 0, in_flight: 0, delivered: 0, dead: 0 }, entries: [], problem, notice: null }) });
  await page.goto(server.url);
  await page.waitForSelector("#call-log-problem:not([hidden])");
  assert.equal(await page.locator("#call-log-problem").textContent(), problem, "the agent sees it where calls are logged");
  await page.click("#nav-queue");
  await page.waitForSelector("#queue-problem:not([hidden])");
  assert.equal(await page.locator("#queue-problem").textContent(), problem);
  await page.close();
});

test("an item holding a call's refused outcome actions shows as that call's actions, replayable alone, with no log editor", async () => {
  const stage = { name: "opportunity", state: "queued", object: "Opportunity", record_id: "006000000000001AAA", body: { StageName: "Qualification" } };
  const overview = {
    ...OVERVIEW,
    entries: [
      ...OVERVIEW.entries,
      entry({
        id: 9,
        call_id: "call-7#actions",
        state: "dead",
        attempts: 1,
        last_error_code: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        last_error: "Stage needs a budget",
        reason: "refused",
        subject: "Pricing",
        actions_of_call: "call-7",
        actions: [stage],
      }),
    ],
  };
  const { page, errors } = await openQueue(overview);
  const item = page.locator('.queue-item[data-call-id="call-7#actions"]');
  assert.equal(await item.getAttribute("data-actions-of"), "call-7", "marked as the actions of call-7");
  const callLine = en["queue.call"];
  const head = plain(await item.locator(".queue-item-head").textContent());
  assert.ok(head.includes(plain(fill(en["queue.actionsOf"], { call: "call-7" }))), `says whose actions they are: ${head}`);
  assert.ok(!head.includes(plain(fill(callLine, { from: "+14155550123", to: "+14155550100" }))), `not shown as a call log: ${head}`);
  const action = item.locator('.queue-action[data-action="opportunity"]');
  assert.ok(plain(await action.textContent()).includes("Opportunity → StageName: Qualification"), "the refused stage change is listed");
  assert.equal(await item.locator(".queue-reason").textContent(), en["queue.reason.actionsRefused"], "the reason says the log itself was sent");
  assert.match(await item.locator(".queue-error").textContent(), /Stage needs a budget/, "Salesforce's reason is shown");
  assert.equal(await item.locator(".queue-subject").count(), 0, "no call-log subject line");
  assert.equal(await item.locator(".queue-edit").count(), 0, "no log editor for actions");
  await item.locator(".queue-replay").click();
  await page.waitForFunction(() => window.__calls.some((c) => c.cmd === "replay_queued_call_log" && c.args.id === 9));
  assert.deepEqual(errors, []);
  await page.close();
});
