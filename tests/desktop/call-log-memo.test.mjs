// The memo as a multi-select picklist from the real app window (issue 17 item 4): with
// `[logging.call_log] memo = "Memo__c"` in this run's ringside.toml, the log form offers the demo
// org's Memo__c values as checkboxes (read from its describe), and the ticked ones land on the
// call log joined by `;`. The call comes from the real `ringside call ring|end` CLI; what landed
// is read back from the app's demo org over HTTP. Run inside Xvfb and its own D-Bus session (run.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { appWithConfig, demoOrgQuery, ringside } from "./call-log-app.mjs";

const run = Date.now().toString(36);
const MEMO = `
[logging]
auto_log_after_secs = 600

[logging.call_log]
memo = "Memo__c"
`;

let session;
const running = appWithConfig(MEMO, (app) => {
  session = app.session;
});
const demoOrg = () => demoOrgQuery(running.app);

test("the memo's multi-select picklist is offered from the org and the ticked values land ';'-joined", async () => {
  const callId = `memo-${run}`;
  const call = ["--call-id", callId, "--from", "+1 415 555 0177", "--to", "+1 415 555 0100"];
  const rang = await ringside(["call", "ring", ...call]);
  assert.equal(rang.code, 0, `ringside call ring failed:\n${rang.stderr}`);
  const ended = await ringside(["call", "end", ...call, "--duration", "60"]);
  assert.equal(ended.code, 0, `ringside call end failed:\n${ended.stderr}`);
  await session.click(await session.find("#nav-caller"));
  const form = `.call-log-form[data-call-id="${callId}"]`;
  await session.waitFor(`${form} fieldset.call-log-memo input[value="Demo requested"]`, 20_000);
  await session.click(await session.find(`${form} fieldset.call-log-memo input[value="Pricing"]`));
  await session.click(await session.find(`${form} fieldset.call-log-memo input[value="Demo requested"]`));
  await session.click(await session.find(`${form} .call-log-submit`));
  await session.waitFor(`.call-log-result[data-call-id="${callId}"][data-state="delivered"]`, 30_000);

  const query = await demoOrg();
  const logs = await query(`SELECT Memo__c FROM Call_Log__c WHERE External_Id__c = '${callId}'`);
  assert.equal(logs.length, 1, "the call is logged once");
  assert.equal(logs[0].Memo__c, "Pricing;Demo requested", "the ticked values, in the org's order, joined by ';'");
});
