// The real app window: target/debug/ringside-desktop with its in-process demo org, driven
// through tauri-driver → WebKitWebDriver. Run inside Xvfb and its own D-Bus session (run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { demoOrg, launch, repo, ringside } from "./call-log-app.mjs";
import { KEY_ENTER, KEY_ESCAPE, descendantPids, fill } from "./webdriver.mjs";

const SCREENSHOT = process.env.RINGSIDE_SCREENSHOT; // where to save the window picture, if set

// The demo org seeds a Contact whose Phone is stored as "(415) 555-0123".
const NUMBER = "(415) 555-0123";

const catalog = async (locale) =>
  JSON.parse(await readFile(join(repo, "ui", "src", "i18n", "locales", `${locale}.json`), "utf8"));
const digits = (text) => text.replace(/\D/g, "");

let app;
let session;

before(async () => {
  const started = Date.now();
  // The window's content is ready once the search box exists.
  app = await launch({ readySelector: "#search-input" });
  session = app.session;
  console.log(`window ready ${Date.now() - started} ms after the launch (tauri-driver's start included)`);
});

after(async () => {
  await app?.close();
});

test("the search box has focus and the header says Demo org", async () => {
  const input = await session.find("#search-input");
  assert.equal(await session.activeElement(), input, "keyboard-first: focus starts in the search box");
  const locale = await session.execute("return document.documentElement.lang");
  const messages = await catalog(locale);
  assert.equal(await session.text(await session.find("#org-badge")), messages["app.demoOrg"], "the user must see they are on the demo org");
});

test("typing the seeded number and pressing Enter lists its Contact from the demo org", async () => {
  const input = await session.find("#search-input");
  await session.clear(input);
  await session.type(input, NUMBER + KEY_ENTER);
  await session.waitFor('#status[data-state="found"], #status[data-state="failed"]');
  const state = await session.attribute(await session.find("#status"), "data-state");
  assert.equal(state, "found", `the lookup failed: ${await session.text(await session.find("#status"))}`);

  const matches = await session.findAll(".match");
  assert.ok(matches.length >= 1, "the demo org seeds a record with this number, so at least one match");
  const listed = [];
  for (const match of matches) {
    const phone = await session.findAll(`.match[data-record-id="${await session.attribute(match, "data-record-id")}"] .match-phone`);
    listed.push({
      object: await session.attribute(match, "data-object"),
      name: await session.text(await session.find(`.match[data-record-id="${await session.attribute(match, "data-record-id")}"] .match-name`)),
      phone: phone.length > 0 ? await session.text(phone[0]) : "",
    });
  }
  console.log(`listed: ${JSON.stringify(listed)}`);
  const contact = listed.find((m) => m.object === "Contact" && digits(m.phone).endsWith("4155550123"));
  assert.ok(contact, `a Contact whose phone is the caller's number is listed; got ${JSON.stringify(listed)}`);
  assert.ok(contact.name.trim().length > 0, "the matched Contact shows its name");

  if (SCREENSHOT) {
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, await session.screenshot());
    console.log(`screenshot: ${SCREENSHOT}`);
  }
});

test("input that is not a number or email shows the catalog message from the real IpcError", async () => {
  const input = await session.find("#search-input");
  await session.clear(input);
  await session.type(input, "not a number" + KEY_ENTER);
  await session.waitFor('#status[data-state="failed"]');
  const locale = await session.execute("return document.documentElement.lang");
  const messages = await catalog(locale);
  assert.equal(
    await session.text(await session.find("#error-message")),
    messages["error.invalid_input"],
    "the shell's IpcError code invalid_input must reach the UI and pick its catalog message",
  );
});

test("the page runs under the CSP from tauri.conf.json: eval is refused", async () => {
  const outcome = await session.execute(
    "try { new Function('return 1')(); return 'allowed'; } catch (err) { return err.name; }",
  );
  assert.equal(outcome, "EvalError", "script-src without 'unsafe-eval' must block eval in the window");
});

test("choosing Arabic in the real window switches it to right-to-left", async () => {
  const ar = await catalog("ar");
  await session.click(await session.find('#language-select option[value="ar"]'));
  assert.equal(await session.execute("return document.documentElement.dir"), "rtl", "Arabic is laid out right to left");
  assert.equal(await session.text(await session.find(".search-label")), ar["search.label"], "labels come from the Arabic catalog");
  // Put English back: the choice is remembered in the webview's storage for the next start.
  await session.click(await session.find('#language-select option[value="en"]'));
  assert.equal(await session.execute("return document.documentElement.dir"), "ltr", "back to left to right");
});

/** Polls the session's window handles until one besides `known` appears (the pop-up). */
async function waitForNewWindow(known, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const handles = await session.windowHandles();
    const added = handles.find((handle) => !known.includes(handle));
    if (added !== undefined) return added;
    if (Date.now() > deadline) throw new Error(`no new window within ${timeoutMs} ms; handles: ${JSON.stringify(handles)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("`ringside call ring` pops Jane Caller and her open Case in the pop-up window; Enter opens her record in the main window", async () => {
  const mainHandle = await session.windowHandle();
  const before = await session.windowHandles();

  const sent = await ringside(["call", "ring", "--call-id", "T1", "--from", "+1 415 555 0123"]);
  assert.equal(sent.code, 0, `ringside call ring failed:\n${sent.stderr}`);
  assert.match(sent.stderr, /sent to the running Ringside/, `the CLI must reach the app through RINGSIDE_HOME, not pop in the terminal:\n${sent.stderr}`);

  const popup = await waitForNewWindow(before);
  await session.switchToWindow(popup);
  assert.match(await session.execute("return location.pathname"), /popup\.html$/, "the new window is the pop-up page");
  await session.waitFor('#popup[data-state="found"], #popup[data-state="failed"], #popup[data-state="none"]', 20_000);
  const state = await session.attribute(await session.find("#popup"), "data-state");
  assert.equal(state, "found", `the pop failed: ${await session.text(await session.find("#popup"))}`);

  assert.equal(await session.text(await session.find("#pop-number")), "+1 415 555 0123", "the pop-up shows the caller's number as the softphone sent it");
  assert.equal(await session.text(await session.find("#pop-details .record-name")), "Jane Caller", "the seeded Contact with this number is the first match");
  const cases = [];
  for (const subject of await session.findAll("#pop-details .record-cases .case-subject")) cases.push(await session.text(subject));
  assert.ok(cases.includes("Headset drops calls"), `Jane's open Case is listed in the pop-up; got ${JSON.stringify(cases)}`);

  await session.pressKey(KEY_ENTER);
  await session.switchToWindow(mainHandle);
  await session.waitFor("#record-panel:not([hidden]) .record-name");
  assert.equal(await session.text(await session.find("#record-panel .record-name")), "Jane Caller", "Enter in the pop-up shows the picked record in the main window");
});

test("the pop-up's page runs in the main window's WebKit web process, not a second one, without the DMA-BUF renderer or the JavaScript JIT (memory)", async () => {
  const handles = await session.windowHandles();
  assert.equal(handles.length, 2, `the pop-up from the test before is open; handles: ${JSON.stringify(handles)}`);
  const webProcesses = [];
  for (const pid of await descendantPids(app.driverPid)) {
    const comm = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
    if (comm.startsWith("WebKitWebProces")) webProcesses.push(pid);
  }
  assert.equal(webProcesses.length, 1, `one web process serves both windows; found pids ${JSON.stringify(webProcesses)}`);
  // The app turns WebKit's DMA-BUF renderer and JavaScriptCore's JIT off
  // (src-tauri/src/webview_memory.rs); the web process inherits both from the app's environment.
  const environ = (await readFile(`/proc/${webProcesses[0]}/environ`, "utf8")).split("\0");
  assert.ok(environ.includes("WEBKIT_DISABLE_DMABUF_RENDERER=1"), "the web process runs without the DMA-BUF renderer");
  assert.ok(environ.includes("JSC_useJIT=0"), "the web process runs JavaScript without the JIT");
});

test("a withheld number pops Unknown caller in the same pop-up window, and Esc hides it", async () => {
  const mainHandle = await session.windowHandle();
  const sent = await ringside(["call", "ring", "--call-id", "T2", "--from", "anonymous"]);
  assert.equal(sent.code, 0, `ringside call ring failed:\n${sent.stderr}`);

  const handles = await session.windowHandles();
  assert.equal(handles.length, 2, `the pop-up window is reused for the next call; handles: ${JSON.stringify(handles)}`);
  await session.switchToWindow(handles.find((handle) => handle !== mainHandle));
  await session.waitFor('#popup[data-state="unknown"]');
  const messages = await catalog(await session.execute("return document.documentElement.lang"));
  assert.equal(await session.text(await session.find("#pop-status .pop-unknown")), messages["popup.unknownCaller"], "no search for a withheld number: Unknown caller");

  assert.equal(await session.execute("return document.visibilityState"), "visible", "the pop-up is on screen before Esc");
  await session.pressKey(KEY_ESCAPE);
  const deadline = Date.now() + 10_000;
  let visibility;
  while ((visibility = await session.execute("return document.visibilityState")) !== "hidden" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(visibility, "hidden", "Esc hides the pop-up window");
  await session.switchToWindow(mainHandle);
});

test("with Salesforce failing, a ring pops the catalog error and the number for a manual search", async (t) => {
  const { fault } = await demoOrg(app);
  const injected = await fault({ kind: "error", path_prefix: "/services/data", times: 100, status: 503, body: [{ message: "busy", errorCode: "SERVER_UNAVAILABLE" }] });
  assert.equal(injected.status, 204, "the demo org accepts the fault");
  t.after(() => fault({ kind: "clear" }));

  const mainHandle = await session.windowHandle();
  // Another number than Jane's: hers is cached for 60 s and would pop without a request.
  const sent = await ringside(["call", "ring", "--call-id", "T3", "--from", "+1 212 555 0199"]);
  assert.equal(sent.code, 0, `ringside call ring failed:\n${sent.stderr}`);
  await session.switchToWindow((await session.windowHandles()).find((handle) => handle !== mainHandle));
  await session.waitFor('#popup[data-state="failed"], #popup[data-state="found"], #popup[data-state="none"]', 20_000);
  assert.equal(await session.attribute(await session.find("#popup"), "data-state"), "failed", "a refused search pops the failure state");
  const messages = await catalog(await session.execute("return document.documentElement.lang"));
  const errorTexts = Object.entries(messages).filter(([key]) => key.startsWith("error.") || key.startsWith("popup.error.")).map(([, text]) => text);
  const shown = await session.text(await session.find("#pop-error"));
  assert.ok(errorTexts.includes(shown), `the error is a catalog message; got ${JSON.stringify(shown)}`);
  assert.equal(
    await session.text(await session.find("#pop-status .pop-manual")),
    fill(messages["popup.manualSearch"], { number: "+12125550199" }),
    "the pop-up gives the number for a manual search",
  );
  await session.switchToWindow(mainHandle);
});
