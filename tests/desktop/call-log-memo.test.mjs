// The memo as a multi-select picklist from the real app window (issue 17 item 4): with
// `[logging.call_log] memo = "Memo__c"` in this run's ringside.toml, the log form offers the demo
// org's Memo__c values as checkboxes (read from its describe), and the ticked ones land on the
// call log joined by `;`. The call comes from the real `ringside call ring|end` CLI; what landed
// is read back from the app's demo org over HTTP. Run inside Xvfb and its own D-Bus session (run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const CLI = process.env.RINGSIDE_CLI ?? join(repo, "target", "debug", "ringside");
const HOME = process.env.RINGSIDE_HOME;
const CONFIG = HOME ? join(HOME, "ringside.toml") : null;
const run = Date.now().toString(36);
const MEMO = `
[logging]
auto_log_after_secs = 600

[logging.call_log]
memo = "Memo__c"
`;

function ringside(args) {
  return new Promise((resolve) => {
    execFile(CLI, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let app;
let session;
let savedConfig = null;

before(async () => {
  assert.ok(HOME, "run.sh sets RINGSIDE_HOME for the app and the CLI");
  savedConfig = await readFile(CONFIG, "utf8").catch(() => null);
  await writeFile(CONFIG, `${savedConfig ?? ""}\n${MEMO}`);
  app = await launchApp({ app: APP, driver: DRIVER, env: { RINGSIDE_QUEUE_FAST: "1" }, readySelector: "#call-log-start" });
  session = app.session;
});

after(async () => {
  await app?.close();
  if (CONFIG) {
    if (savedConfig === null) await rm(CONFIG, { force: true });
    else await writeFile(CONFIG, savedConfig);
  }
});

/** The app's demo org (named in its log) and a SOQL query on it. */
async function demoOrg() {
  const found = /built-in demo org running.*?(http:\/\/127\.0\.0\.1:\d+)/.exec(app.log());
  assert.ok(found, `the app's log must name its demo org address; log:\n${app.log().slice(-2000)}`);
  const org = found[1];
  const token = (await (await fetch(`${org}/__demo/tokens`, { method: "POST" })).json()).access_token;
  const versions = await (await fetch(`${org}/services/data`, { headers: { authorization: `Bearer ${token}` } })).json();
  const api = versions.at(-1).url;
  return async (soql) => {
    const response = await fetch(`${org}${api}/query?q=${encodeURIComponent(soql)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, `query failed: ${soql}: ${await response.clone().text()}`);
    return (await response.json()).records;
  };
}

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
