// Create on no match, in the real window: a ring from a number nobody has pops "no match" with
// the inline form; the agent creates a Lead in the app's demo org; the next ring from that
// number pops the new Lead at once, matched locally, while the org's search index still lags
// (the demo org's index_lag fault plays Salesforce's minutes-long lag).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoOrg, launch, repo, ringside as ringsideIn } from "./call-log-app.mjs";
import { waitUntil } from "./webdriver.mjs";

const NUMBER = "+1 212 555 0142";

let home;
let app;
let org;
let query;

/** `ringside call …` against this test's app (same RINGSIDE_HOME). */
const ringside = (args) => ringsideIn(args, { RINGSIDE_HOME: home });

before(async () => {
  home = await mkdtemp(join(tmpdir(), "ringside-create-caller-"));
  // The "browser": records the URL it was asked to open (RINGSIDE_BROWSER, as in sign-in tests).
  await writeFile(join(home, "browser.sh"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${join(home, "opened.txt")}'\n`);
  await chmod(join(home, "browser.sh"), 0o755);
  app = await launch({
    env: { RINGSIDE_HOME: home, RINGSIDE_POP_ON: "", RINGSIDE_EVENT_PORT: "", RINGSIDE_BROWSER: join(home, "browser.sh") },
    readySelector: "#search-input",
  });
  const demo = await demoOrg(app);
  ({ org, query } = demo);
  const lag = await demo.fault({ kind: "index_lag", ms: 600000 });
  assert.equal(lag.status, 204, "the demo org accepts the index lag");
});

after(async () => {
  await app?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

test("an unknown number offers Create Lead; the new Lead is in Salesforce and the next ring pops it locally", async () => {
  const { session } = app;
  const en = JSON.parse(await readFile(join(repo, "ui", "src", "features", "popup", "locales", "en.json"), "utf8"));
  const mainHandle = await session.windowHandle();
  const first = await ringside(["call", "ring", "--call-id", "N1", "--from", NUMBER]);
  assert.equal(first.code, 0, `ringside call ring failed:\n${first.stderr}`);
  const popup = await waitUntil(async () => (await session.windowHandles()).find((handle) => handle !== mainHandle), "the pop-up window");
  await session.switchToWindow(popup);
  await session.waitFor('#popup[data-state="none"] #pop-create:not([hidden])', 20_000);
  assert.equal(await session.execute("return document.querySelector('#pop-create-phone').value"), NUMBER, "the caller's number is prefilled");

  await session.type(await session.find("#pop-create-first"), "Nia");
  await session.type(await session.find("#pop-create-last"), "Newcaller");
  await session.type(await session.find("#pop-create-company"), "Newco Ltd");
  await session.click(await session.find("#pop-create-submit"));
  await session.waitFor('#popup[data-state="found"], #pop-create[data-error]', 20_000);
  const failed = await session.findAll("#pop-create[data-error]");
  assert.equal(failed.length, 0, `the create failed: ${failed.length ? await session.text(await session.find("#pop-create-detail")) : ""}`);
  assert.equal(await session.text(await session.find("#pop-details .record-name")), "Nia Newcaller", "the new Lead is listed in the pop-up at once");
  assert.equal(await session.text(await session.find("#pop-created")), en["popup.create.created"], "the agent is told it is saved");

  // It really is in the org, with the caller's number.
  const leads = await query("SELECT Id, Name, Company, Phone FROM Lead WHERE LastName = 'Newcaller'");
  assert.equal(leads.length, 1, `one Lead was created: ${JSON.stringify(leads)}`);
  assert.equal(leads[0].Company, "Newco Ltd");
  assert.equal(leads[0].Phone, "+12125550142", "saved with the caller's number in E.164");

  // The caller rings back while Salesforce's index still lags: found locally, no Create prompt.
  const again = await ringside(["call", "ring", "--call-id", "N2", "--from", "(212) 555-0142"]);
  assert.equal(again.code, 0, `ringside call ring failed:\n${again.stderr}`);
  await session.waitFor('#popup[data-state="found"] #pop-details[data-source="recently_created"]', 20_000);
  assert.equal(await session.text(await session.find("#pop-number")), "(212) 555-0142", "this is the second call");
  assert.equal(await session.text(await session.find("#pop-details .record-name")), "Nia Newcaller", "the new Lead pops, matched locally");
  assert.equal((await session.findAll("#pop-create:not([hidden])")).length, 0, "no Create prompt for a known caller");

  // Open in Salesforce: the URL is the org's instance URL and the record's checked id.
  await session.click(await session.find("#pop-open-salesforce"));
  const opened = await waitUntil(
    () => readFile(join(home, "opened.txt"), "utf8").catch(() => ""),
    "the browser to be asked to open the record",
  );
  assert.equal(opened.trim(), `${org}/lightning/r/Lead/${leads[0].Id}/view`, "the Lead's Lightning page in the org in use");
  await session.switchToWindow(mainHandle);
});

test("switching the UI to German relabels the tray menu and retitles the pop-up window", async () => {
  const { session } = app;
  const de = JSON.parse(await readFile(join(repo, "ui", "src", "features", "popup", "locales", "de.json"), "utf8"));
  const relabelled = (show) => app.log().split("\n").some((line) => line.includes("tray menu relabelled") && line.includes(show));
  // At start the main window sent its (English) labels.
  await waitUntil(() => relabelled("Show Ringside"), `the English tray labels in the log:\n${app.log().slice(-1500)}`);
  await session.click(await session.find('#language-select option[value="de"]'));
  await waitUntil(() => relabelled(de["popup.tray.show"]), "the tray menu to read German (read back from its items)");
  // The pop-up window (open since the test above) is retitled; xdotool reads the X window's name.
  const titled = await waitUntil(() => {
    const found = spawnSync("xdotool", ["search", "--name", `^${de["popup.title"]}$`], { encoding: "utf8" });
    return found.status === 0 && found.stdout.trim() !== "";
  }, `an X window named ${de["popup.title"]}`);
  assert.ok(titled, "the pop-up's window title is German");
  await session.click(await session.find('#language-select option[value="en"]'));
});
