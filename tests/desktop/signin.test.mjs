// The real desktop sign-in path: the app under WebDriver signs in to its built-in demo org
// through the browser flow. RINGSIDE_BROWSER names a script that records the authorize URL
// instead of opening a browser (as a user could name another browser); the test plays the
// browser (the demo org approves at once and redirects to ringside://oauth/callback?…) and
// delivers the link the way the OS does: a second copy of the app binary started with the
// URL, which the single-instance plugin hands to the running copy. Then: the settings view
// and the header show the signed-in org, a forged link is refused in words, Sign out goes
// back to the demo org, and a `tel:` link delivered the same way pops the caller.
// Tokens go to the real Secret Service that run.sh starts in this D-Bus session.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, launch, repo } from "./call-log-app.mjs";
import { fill } from "./webdriver.mjs";

const settingsCatalog = JSON.parse(
  await readFile(join(repo, "ui", "src", "features", "settings", "locales", "en.json"), "utf8"),
);

/**
 * The app (with this test's `env`) started with `args`, ready on the search box; its close()
 * prints the app's last log lines first, for a failure's diagnosis (no secret is logged).
 */
async function launchApp({ args = [], readySelector = "#search-input" } = {}) {
  const running = await launch({ env, args, readySelector });
  const close = running.close;
  running.close = async () => {
    console.log(`# app log (last lines):\n${running.log().split("\n").slice(-40).join("\n")}`);
    await close();
  };
  return running;
}

/** Polls until `predicate()` is truthy; throws naming `what` after `timeoutMs`. */
async function waitUntil(predicate, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let dir;
let env;
let app;
let session;
const urlsFile = () => join(dir, "opened-urls.txt");

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "ringside-signin-test-"));
  const browser = join(dir, "record-browser.sh");
  // The "browser": records each URL it is asked to open, one per line, and opens nothing.
  await writeFile(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urlsFile()}'\n`);
  await chmod(browser, 0o755);
  // Its own Ringside home: an empty orgs.toml and its own keyring namespace.
  env = { RINGSIDE_HOME: join(dir, "home"), RINGSIDE_BROWSER: browser };
  app = await launchApp();
  session = app.session;
});

after(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts a second copy of the app with `link` as its only argument, as the OS does for a
 * clicked link; it must hand the link over and exit. */
function deliver(link) {
  return new Promise((resolve, reject) => {
    const child = spawn(APP, [link], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the second copy did not hand the link over and exit within 20 s:\n${output}`));
    }, 20_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function openedUrls() {
  try {
    return (await readFile(urlsFile(), "utf8")).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** The tokens the app stored in the Secret Service for this home (read with libsecret's
 * secret-tool, as another program on the desktop could): [refresh, access], or [] if none.
 * secret-tool finding nothing exits 0; any failure (no secret-tool, no Secret Service) throws
 * with its stderr, so "the entry is deleted" can never pass because nothing could be read. */
async function storedTokens() {
  const namespace = `ringside (${await realpath(env.RINGSIDE_HOME)})`;
  const stdout = await new Promise((resolve, reject) =>
    execFile("secret-tool", ["search", "--all", "service", namespace], { timeout: 20_000 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`secret-tool search failed (apt package libsecret-tools; a Secret Service must run): ${error.message}\n${stderr}`))
        : resolve(stdout),
    ),
  );
  const at = stdout.indexOf("secret = ringside-tokens-v1\n");
  if (at < 0) return [];
  return stdout
    .slice(at)
    .split("\n")
    .slice(1, 3)
    .filter((line) => line.length > 0 && !line.includes(" = "));
}

async function textOf(css) {
  return session.text(await session.find(css));
}

test("signing in to the demo org through the browser and the ringside:// link shows it signed in", async () => {
  await session.click(await session.find("#nav-settings"));
  await session.waitFor('#view-settings .org-row[data-demo="true"][data-in-use="true"]');
  await session.click(await session.find('#signin-host option[value="demo"]'));
  const alias = await session.find("#signin-alias");
  await session.clear(alias);
  await session.type(alias, "demo-oauth");
  await session.click(await session.find("#signin-submit"));
  await session.waitFor('#settings-signin[data-state="signing-in"]');
  assert.equal(await textOf("#signin-progress span"), settingsCatalog["settings.signIn.progress"]);

  const [authorizeUrl] = await waitUntil(async () => {
    const urls = await openedUrls();
    return urls.length > 0 ? urls : null;
  }, "the app to open the authorize URL in the browser");
  const authorize = new URL(authorizeUrl);
  assert.equal(authorize.pathname, "/services/oauth2/authorize");
  assert.equal(authorize.searchParams.get("redirect_uri"), "ringside://oauth/callback", "the deep link is the redirect");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256", "PKCE S256");
  assert.ok(authorize.searchParams.get("state"), "a state is sent");

  // The browser: the demo org approves at once and redirects to the deep link.
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  assert.equal(consent.status, 302, "the demo org approves and redirects");
  const callback = consent.headers.get("location");
  assert.match(callback, /^ringside:\/\/oauth\/callback\?code=/, "the redirect is the ringside:// link");

  // A forged link first: refused in words, the sign-in keeps waiting.
  const forged = await deliver("ringside://oauth/callback?code=stolen&state=forged");
  assert.equal(forged.code, 0, `the second copy exits cleanly after handing over:\n${forged.output}`);
  await session.waitFor('#settings-notice[data-code="foreign_link"]');
  assert.equal(await textOf("#settings-notice-text"), settingsCatalog["settings.error.foreign_link"]);
  assert.equal(
    await session.attribute(await session.find("#settings-signin"), "data-state"),
    "signing-in",
    "a forged link does not end the real sign-in",
  );

  const handed = await deliver(callback);
  assert.equal(handed.code, 0, `the second copy exits cleanly after handing over:\n${handed.output}`);
  await session.waitFor('#settings-notice[data-kind="success"]', 30_000);
  const done = await textOf("#settings-notice-text");
  assert.equal(
    done,
    fill(settingsCatalog["settings.signIn.done"], { alias: "demo-oauth", username: "dana.demo@ringside.example" }),
  );
  await session.waitFor('.org-row[data-alias="demo-oauth"][data-in-use="true"][data-signed-in="true"]');
  await waitUntil(async () => (await textOf("#org-badge")) === "demo-oauth", "the header badge to show the signed-in org");
  const registry = await readFile(join(env.RINGSIDE_HOME, "orgs.toml"), "utf8");
  assert.match(registry, /active = "demo-oauth"/, "orgs.toml records the new org as active");
  const tokens = await storedTokens();
  assert.equal(tokens.length, 2, "the keyring holds the refresh and the access token");
  for (const token of tokens) assert.ok(!registry.includes(token), "no token in orgs.toml");
});

test("Sign out revokes and goes back to the built-in demo org", async () => {
  await session.click(await session.find('.org-row[data-alias="demo-oauth"] button[data-action="sign-out"]'));
  await session.waitFor('.org-row[data-alias="demo-oauth"][data-signed-in="false"]');
  await session.waitFor('.org-row[data-demo="true"][data-in-use="true"]');
  assert.equal(
    await textOf("#settings-notice-text"),
    fill(settingsCatalog["settings.signOut.done"], { alias: "demo-oauth" }),
  );
  await waitUntil(
    async () => (await session.attribute(await session.find("#org-badge"), "data-demo")) === "true",
    "the header badge to show the demo org again",
  );
  assert.deepEqual(await storedTokens(), [], "the keyring entry is deleted");
});

test("a tel: link delivered by a second launch pops the caller", async () => {
  const mainHandle = await session.windowHandle();
  const before = await session.windowHandles();
  const handed = await deliver("tel:+1-415-555-0123");
  assert.equal(handed.code, 0, `the second copy exits cleanly after handing over:\n${handed.output}`);
  const popup = await waitUntil(async () => {
    const handles = await session.windowHandles();
    return handles.find((handle) => !before.includes(handle)) ?? null;
  }, "the pop-up window to open");
  await session.switchToWindow(popup);
  await session.waitFor('#popup[data-state="found"], #popup[data-state="failed"], #popup[data-state="none"]', 20_000);
  assert.equal(await session.attribute(await session.find("#popup"), "data-state"), "found", await textOf("#popup"));
  assert.equal(await textOf("#pop-details .record-name"), "Jane Caller", "the seeded Contact with this number pops");
  await session.switchToWindow(mainHandle);
});

test("a ringside://call link delivered by a second launch is a call event that pops the caller; a malformed one changes nothing", async () => {
  const mainHandle = await session.windowHandle();
  const bad = await deliver("ringside://call?event=hold&call_id=L0&from=1");
  assert.equal(bad.code, 0, `a malformed link is logged, never a crash:\n${bad.output}`);
  const handed = await deliver("ringside://call?event=ring&call_id=L1&from=%2B14155550123");
  assert.equal(handed.code, 0, handed.output);
  const popup = await waitUntil(async () => {
    for (const handle of await session.windowHandles()) {
      if (handle === mainHandle) continue;
      await session.switchToWindow(handle);
      const shows = await session.execute(
        "return document.querySelector('#pop-number')?.textContent ?? ''",
      );
      if (shows === "+14155550123") return handle;
    }
    return null;
  }, "the pop-up to show the link's call");
  await session.switchToWindow(popup);
  await session.waitFor('#popup[data-state="found"], #popup[data-state="failed"], #popup[data-state="none"]', 20_000);
  assert.equal(await textOf("#pop-details .record-name"), "Jane Caller", "the ring of the link pops Jane");
  await session.switchToWindow(mainHandle);
});

test("a link the app is started with (cold start) is handled: tel: pops the caller", async () => {
  // One copy at a time: a second copy would hand over to the first and exit.
  await app.close();
  app = await launchApp({ args: ["tel:+14155550123"] });
  session = app.session;
  const popup = await waitUntil(async () => {
    for (const handle of await session.windowHandles()) {
      await session.switchToWindow(handle);
      if (/popup\.html$/.test(await session.execute("return location.pathname"))) return handle;
    }
    return null;
  }, "the pop-up window of the link the app started with");
  await session.switchToWindow(popup);
  await session.waitFor('#popup[data-state="found"], #popup[data-state="failed"], #popup[data-state="none"]', 20_000);
  assert.equal(await session.attribute(await session.find("#popup"), "data-state"), "found", await textOf("#popup"));
  assert.equal(await textOf("#pop-details .record-name"), "Jane Caller", "the number of the link pops");
});

test("a sign-in link the app is started with belongs to no sign-in and is refused in words", async () => {
  await app.close();
  app = await launchApp({ args: ["ringside://oauth/callback?code=stolen&state=forged"] });
  session = app.session;
  await session.click(await session.find("#nav-settings"));
  await session.waitFor('#settings-notice[data-code="foreign_link"]');
  assert.equal(await textOf("#settings-notice-text"), settingsCatalog["settings.error.foreign_link"]);
});
