// The API budget in the real app (issue 18): the desktop counts its own requests into the
// usage file exactly as the demo org counts them (`GET /__demo/usage`), Settings shows the
// figures, and once the org passes 90 % of its (lowered) allocation the main window shows the
// quiet banner by itself. Run inside Xvfb and its own D-Bus session (run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp, searchNumber, waitUntil } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const NUMBER = "(415) 555-0123";

let app;
let org;

before(async () => {
  app = await launchApp({ app: APP, driver: DRIVER });
  const current = await app.session.execute("return window.__TAURI_INTERNALS__.invoke('current_org')");
  assert.equal(current?.org?.demo, true, `the test app runs on its built-in demo org; got ${JSON.stringify(current)}`);
  org = current.org.instance_url;
});

after(async () => {
  await app?.close();
});

const demoUsage = async () => (await fetch(`${org}/__demo/usage`)).json();
const appUsage = () => app.session.execute("return window.__TAURI_INTERNALS__.invoke('usage_today')");

const search = (number) => searchNumber(app.session, number);

test("the app's own count matches the org's, Settings shows it, and the banner comes above 90 %", async () => {
  const { session } = app;
  // Deltas: the usage file is per home and day, and other tests' apps may have counted into it.
  const [appBefore, orgBefore] = [await appUsage(), await demoUsage()];
  for (const n of [NUMBER, "+1 212 555 0199", NUMBER]) await search(n);
  const [appAfter, orgAfter] = [await appUsage(), await demoUsage()];
  assert.ok(orgAfter.api_usage > orgBefore.api_usage, "the searches reached the org");
  assert.equal(
    appAfter.ringside_today - appBefore.ringside_today,
    orgAfter.api_usage - orgBefore.api_usage,
    `the app counted exactly the requests the org counted: ${JSON.stringify(appAfter.by_kind)}`,
  );
  assert.deepEqual(appAfter.org, { used: orgAfter.api_usage, max: orgAfter.limit }, "the org's latest figures");
  assert.equal(appAfter.optional.state, "allowed", "far below the threshold");
  assert.equal(await session.attribute(await session.find("#api-budget-banner"), "data-state") === "paused", false);

  await session.click(await session.find("#nav-settings"));
  await session.waitFor("#settings-usage[data-state='ready']");
  assert.equal(
    Number(await session.attribute(await session.find("#settings-usage-ringside"), "data-today")),
    appAfter.ringside_today,
    "Settings shows the same count",
  );
  assert.equal(Number(await session.attribute(await session.find("#settings-usage-org"), "data-used")), orgAfter.api_usage);
  await session.click(await session.find("#nav-caller"));

  // The allocation is lowered so that the org stands between 92 % and 100 % after one more
  // search (never past it: that search must still be answered, and its answer tells the app).
  const used = (await demoUsage()).api_usage + 1;
  const max = Math.max(used, Math.floor(used / 0.92));
  const response = await fetch(`${org}/__demo/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "api_limit", max }),
  });
  assert.ok(response.ok, `the demo org takes the fault: ${response.status}`);
  await search("+1 646 555 0142");
  const paused = await appUsage();
  assert.equal(paused.optional.state, "paused", `the governor pauses optional requests: ${JSON.stringify({ paused, demo: await demoUsage(), max })}`);
  const banner = await session.find("#api-budget-banner");
  await waitUntil(async () => (await session.attribute(banner, "data-state")) === "paused", "the banner above 90 %", 25_000);
  const text = await session.text(banner);
  assert.match(text, new RegExp(String(max)), `the banner names the allocation: ${text}`);
});
