// The installed app (/usr/bin/ringside-desktop from the .deb, not the build tree), driven through
// tauri-driver → WebKitWebDriver under Xvfb (tests/package/run.sh → tests/desktop/run.sh):
// a `ringside call ring` from the installed CLI pops the caller, and `gio open 'ringside://…'`
// reaches the running app through the package's own scheme registration (the installed app
// writes no per-user handler: deep_link.rs). Run by tests/package/run.sh after apt-get install.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, readdir } from "node:fs/promises";
import { join } from "node:path";
import { launchApp, waitUntil } from "../desktop/webdriver.mjs";

const APP = process.env.RINGSIDE_APP;
const CLI = process.env.RINGSIDE_CLI;
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const JANE = "+1 415 555 0123";
const digits = (text) => text.replace(/\D/g, "");

function run(command, args) {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let app;

before(async () => {
  assert.equal(APP, "/usr/bin/ringside-desktop", "the installed app, not the build tree");
  assert.equal(CLI, "/usr/bin/ringside", "the installed CLI");
  app = await launchApp({ app: APP, driver: DRIVER });
});

after(async () => {
  await app?.close();
});

const others = async (session, main) => (await session.windowHandles()).filter((handle) => handle !== main);

/** Switches to the pop-up and waits until it shows `number`'s pop, found. */
async function popShows(session, main, number, what) {
  const popup = await waitUntil(async () => (await others(session, main))[0], `the pop-up window (${what})`);
  await session.switchToWindow(popup);
  await waitUntil(
    async () => digits(await session.text(await session.find("#pop-number")).catch(() => "")) === digits(number),
    `the pop-up to show ${number} (${what})`,
    20_000,
  );
  await session.waitFor('#popup[data-state="found"], #popup[data-state="failed"], #popup[data-state="none"]', 20_000);
  const state = await session.attribute(await session.find("#popup"), "data-state");
  const text = await session.text(await session.find("#popup"));
  await session.switchToWindow(main);
  assert.equal(state, "found", `the pop (${what}) failed: ${text}`);
  return text;
}

test("a ring from the installed `ringside call` pops the caller in the installed app", async () => {
  const { session } = app;
  const main = await session.windowHandle();
  const sent = await run(CLI, ["call", "ring", "--call-id", "installed-1", "--from", JANE]);
  assert.equal(sent.code, 0, `ringside call ring failed:\n${sent.stderr}`);
  assert.match(sent.stderr, /sent to the running Ringside/, `the event must reach the app:\n${sent.stderr}`);
  const text = await popShows(session, main, JANE, "ringside call ring");
  assert.match(text, /Jane Caller/, "the seeded caller pops");
});

test("`gio open 'ringside://call?…'` reaches the running app through the package's registration", async () => {
  const { session } = app;
  const main = await session.windowHandle();
  // The installed app leaves the schemes to the package: no per-user handler was written.
  const userEntries = await readdir(join(process.env.XDG_DATA_HOME, "applications")).catch(() => []);
  assert.deepEqual(userEntries.filter((name) => name.includes("ringside")), [], "no per-user ringside handler");
  await access("/usr/share/applications/Ringside.desktop");
  const yamada = "+81 3-1234-5678";
  const link = `ringside://call?event=ring&call_id=installed-link-1&from=${encodeURIComponent("+81312345678")}`;
  const opened = await run("gio", ["open", link]);
  assert.equal(opened.code, 0, `gio open failed:\n${opened.stderr}`);
  const text = await popShows(session, main, yamada, "gio open");
  assert.match(text, /山田/, "the caller of the link pops (太郎 山田, seeded in the demo org)");
});
