// The org badge says when the org's daily API allowance is used up (issue 14, item 2): the real
// app on its built-in demo org, whose allocation is lowered to what is already used through the
// demo org's control API. A search then fails with the reason, the header's badge says
// "API allowance used up" in words, and once the allocation is raised the next search clears
// it by itself. Run inside Xvfb and its own D-Bus session (run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp, searchNumber, waitUntil, fill } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const NUMBER = "(415) 555-0123";

const catalog = async (locale) =>
  JSON.parse(await readFile(join(repo, "ui", "src", "i18n", "locales", `${locale}.json`), "utf8"));

let app;
let org;

before(async () => {
  app = await launchApp({ app: APP, driver: DRIVER });
  const current = await app.session.execute("return window.__TAURI_INTERNALS__.invoke('current_org')");
  assert.equal(current?.org?.demo, true, `the test app runs on its built-in demo org; got ${JSON.stringify(current)}`);
  assert.equal(current.allowance_used_up, false, "a fresh app knows of no used-up allowance");
  org = current.org.instance_url;
});

after(async () => {
  await app?.close();
});

async function setApiLimit(max) {
  const response = await fetch(`${org}/__demo/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "api_limit", max }),
  });
  assert.ok(response.ok, `the demo org takes the fault: ${response.status} ${await response.text()}`);
}

const search = (number) => searchNumber(app.session, number);

test("a used-up API allowance is said on the org badge, and clears by itself when it is back", async () => {
  const { session } = app;
  const messages = await catalog(await session.execute("return document.documentElement.lang"));
  const usage = await (await fetch(`${org}/__demo/usage`)).json();
  await setApiLimit(usage.api_usage);
  assert.equal(await search(NUMBER), "failed", "Salesforce refuses the search");
  const badge = await session.find("#org-badge");
  await waitUntil(async () => (await session.attribute(badge, "data-allowance")) === "used-up", "the badge to say the allowance is used up");
  const text = await session.text(badge);
  assert.equal(text, fill(messages["app.allowanceUsedUpBadge"], { org: messages["app.demoOrg"] }), "in words, naming the org");
  assert.equal(await session.attribute(badge, "title"), messages["app.allowanceUsedUp"], "the tooltip says what happens to calls");

  await setApiLimit(usage.limit);
  assert.equal(await search(NUMBER), "found", "Salesforce answers again");
  await waitUntil(async () => (await session.attribute(badge, "data-allowance")) === "ok", "the badge to clear");
  assert.equal(await session.text(badge), messages["app.demoOrg"]);
});
