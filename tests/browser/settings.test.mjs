// The settings view in Chromium with Tauri IPC mocked: the org list (demo org, signed in,
// signed out, in use), signing in (Signing in…, success with the header badge, each error in
// words, Cancel), a refused sign-in link, use, sign out, remove (two clicks), Arabic.
// Expected texts come from the catalogs, so the tests check wiring, not copy-edits.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fill, ipcMockScript, launchBrowser, serveDist } from "./harness.mjs";

const settingsLocales = fileURLToPath(new URL("../../ui/src/features/settings/locales/", import.meta.url));
const catalogOf = async (locale) => JSON.parse(await readFile(`${settingsLocales}${locale}.json`, "utf8"));

const DEMO_URL = "http://127.0.0.1:4555";
const DEMO_CLIENT_ID = "RingsideDemoConsumerKey";
const demoOrg = { org: { alias: null, username: null, instance_url: DEMO_URL, demo: true }, problem: null };
const acmeOrg = {
  org: { alias: "acme", username: "dana@acme.example", instance_url: "https://acme.my.salesforce.com", demo: false },
  problem: null,
};
const entry = (alias, extra = {}) => ({
  alias,
  username: `${alias}@example.com`,
  instance_url: `https://${alias}.my.salesforce.com`,
  login_url: "https://login.salesforce.com",
  client_id: "3MVGkey",
  scope_profile: "standard",
  active: false,
  in_use: false,
  signed_in: true,
  ...extra,
});
const overview = (orgs, extra = {}) => ({
  orgs,
  demo_in_use: !orgs.some((o) => o.in_use),
  keyring_problem: null,
  active_problem: null,
  refused_link: null,
  defaults: {
    client_id: "3MVGadminKey",
    login_url: "https://login.salesforce.com",
    demo_login_url: DEMO_URL,
    demo_client_id: DEMO_CLIENT_ID,
    redirect_port: null,
    scope_profile: "standard",
  },
  ...extra,
});

/**
 * Answers the settings commands from `state` (mutable in the page): `overview` and `currentOrg`
 * are what list_orgs / current_org return; `signIn` is { result, afterOverview, afterOrg } or
 * { error }; with `holdSignIn` the answer waits for `window.__releaseSignIn()` or Cancel.
 */
function settingsMock(state) {
  return `(() => {
const state = ${JSON.stringify(state)};
window.__state = state;
let release = () => {};
window.__releaseSignIn = () => release();
window.__emit = (event, payload) =>
  window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event, payload });
window.__tauriMocks.mockIPC(async (cmd, args) => {
  window.__allIpcCalls.push({ cmd, args });
  switch (cmd) {
    case "current_org": return state.currentOrg;
    case "list_orgs": if (state.listError) throw state.listError; return state.overview;
    case "sign_in": {
      if (state.holdSignIn) await new Promise((resolve) => { release = resolve; });
      if (state.cancelled) throw { code: "abandoned", message: "the sign-in was cancelled in Ringside" };
      if (state.signIn.error) throw state.signIn.error;
      state.overview = state.signIn.afterOverview;
      state.currentOrg = state.signIn.afterOrg;
      return state.signIn.result;
    }
    case "cancel_sign_in": state.cancelled = true; release(); return 1;
    case "use_org": state.currentOrg = state.useOrg.afterOrg; state.overview = state.useOrg.afterOverview; return state.currentOrg.org;
    case "use_demo_org": return null;
    case "update_notice": return state.updateNotice ?? null;
    case "sign_out_org":
    case "remove_org": {
      const answer = state[cmd];
      if (answer.error) throw answer.error;
      state.overview = answer.afterOverview;
      state.currentOrg = answer.afterOrg;
      return answer.result;
    }
    default: throw "command " + cmd + " not allowed";
  }
}, { shouldMockEvents: true });
})();`;
}

let server;
let browser;
let en;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  en = await catalogOf("en");
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openSettings(state, { locale } = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await ipcMockScript({ result: null }) });
  await page.addInitScript({ content: settingsMock(state) });
  // The profile is shared by all pages: set the language every time, so no test inherits another's.
  await page.addInitScript(`localStorage.setItem("ringside.locale", ${JSON.stringify(locale ?? "en")});`);
  await page.goto(server.url);
  await page.click("#nav-settings");
  await page.waitForSelector("#view-settings .org-row[data-demo]");
  return { page, errors };
}

const calls = (page, cmd) => page.evaluate((c) => window.__allIpcCalls.filter((x) => x.cmd === c), cmd);

test("the list shows the demo org in use, a signed-in org, a signed-out org and their actions", async () => {
  const { page, errors } = await openSettings({
    currentOrg: demoOrg,
    overview: overview([
      entry("acme", { active: false, scope_profile: "extended" }),
      entry("old", { signed_in: false }),
      entry("locked", { signed_in: null }),
    ]),
  });
  const demo = page.locator('.org-row[data-demo="true"]');
  assert.equal(await demo.getAttribute("data-in-use"), "true", "nothing signed in is in use: the demo org is");
  assert.match(await demo.textContent(), new RegExp(en["settings.org.inUse"]));

  const acme = page.locator('.org-row[data-alias="acme"]');
  assert.equal(await acme.getAttribute("data-signed-in"), "true");
  const acmeText = await acme.textContent();
  for (const part of ["acme@example.com", "https://acme.my.salesforce.com", en["settings.org.signedIn"]]) {
    assert.ok(acmeText.includes(part), `the row shows ${part}: ${acmeText}`);
  }
  assert.ok(
    acmeText.includes(fill(en["settings.org.profile"], { profile: en["settings.profile.extended"] })),
    `the scope profile held is shown: ${acmeText}`,
  );
  assert.deepEqual(
    await acme.locator("button").evaluateAll((bs) => bs.map((b) => b.dataset.action)),
    ["use", "sign-out", "remove"],
    "a signed-in org not in use can be used, signed out of, removed",
  );
  const old = page.locator('.org-row[data-alias="old"]');
  assert.ok((await old.textContent()).includes(en["settings.org.signedOut"]), "a signed-out org says so");
  assert.deepEqual(
    await old.locator("button").evaluateAll((bs) => bs.map((b) => b.dataset.action)),
    ["sign-in-again", "remove"],
    "a signed-out org offers to sign in again",
  );
  assert.ok(
    (await page.locator('.org-row[data-alias="locked"]').textContent()).includes(en["settings.org.unknownState"]),
    "when the keyring could not say, the state is unknown, not signed out",
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("signing in shows Signing in…, then success, the refreshed list and the header badge", async () => {
  const acme = entry("acme", { active: true, in_use: true, username: "dana@acme.example" });
  const { page, errors } = await openSettings({
    currentOrg: demoOrg,
    overview: overview([]),
    holdSignIn: true,
    signIn: { result: acmeOrg.org, afterOverview: overview([acme]), afterOrg: acmeOrg },
  });
  assert.equal(await page.inputValue("#signin-client-id"), "", "the admin's key is used unless one is typed");
  assert.equal(await page.getAttribute("#signin-client-id", "placeholder"), "3MVGadminKey", "and it is shown");
  await page.selectOption("#signin-host", "demo");
  assert.equal(await page.inputValue("#signin-client-id"), DEMO_CLIENT_ID, "the demo org signs in with its own client id");
  await page.fill("#signin-alias", "acme");
  await page.click("#signin-submit");
  await page.waitForSelector('#settings-signin[data-state="signing-in"]');
  assert.equal(await page.isVisible("#signin-progress"), true, "a pending sign-in shows its progress");
  assert.equal(await page.textContent("#signin-progress span"), en["settings.signIn.progress"]);
  assert.equal(await page.isDisabled("#signin-submit"), true, "no second sign-in while one runs");
  const [call] = await calls(page, "sign_in");
  assert.deepEqual(call.args.form, { alias: "acme", login_url: DEMO_URL, client_id: DEMO_CLIENT_ID }, "the form is sent");

  await page.evaluate(() => window.__releaseSignIn());
  await page.waitForSelector('#settings-notice[data-kind="success"]');
  assert.equal(
    await page.textContent("#settings-notice-text"),
    fill(en["settings.signIn.done"], { alias: "acme", username: "dana@acme.example" }),
  );
  await page.waitForSelector('.org-row[data-alias="acme"][data-in-use="true"]');
  await page.waitForFunction(() => document.getElementById("org-badge")?.textContent === "acme");
  assert.equal(await page.isVisible("#signin-progress"), false, "the progress is gone");
  assert.deepEqual(errors, []);
  await page.close();
});

test("each sign-in failure is shown in words with the detail", async () => {
  for (const code of ["access_denied", "timeout", "api_disabled", "keyring_unavailable", "unknown_client", "weird_new_code"]) {
    const message = `backend sentence for ${code}`;
    const { page } = await openSettings({
      currentOrg: demoOrg,
      overview: overview([]),
      signIn: { error: { code, message } },
    });
    await page.fill("#signin-alias", "acme");
    await page.click("#signin-submit");
    await page.waitForSelector('#settings-notice[data-kind="error"]');
    const key = code === "weird_new_code" ? "settings.error.other" : `settings.error.${code}`;
    assert.equal(await page.textContent("#settings-notice-text"), en[key], `${code} has its own words`);
    // A code outside the generated IpcCode list reads as `internal`; the code itself stays in the words.
    const detail = code === "weird_new_code" ? `${message} (weird_new_code)` : message;
    assert.equal(await page.textContent("#settings-notice-detail"), detail, `${code}: the backend's sentence is shown too`);
    assert.equal(await page.getAttribute("#settings-signin", "data-state"), "failed");
    await page.close();
  }
});

test("a missing alias is caught before any sign-in starts", async () => {
  const { page } = await openSettings({ currentOrg: demoOrg, overview: overview([]), signIn: { error: null } });
  await page.click("#signin-submit");
  await page.waitForSelector('#settings-notice[data-kind="error"]');
  assert.equal(await page.textContent("#settings-notice-detail"), en["settings.signIn.aliasMissing"]);
  assert.deepEqual(await calls(page, "sign_in"), [], "nothing was sent");
  await page.close();
});

test("Cancel ends the pending sign-in and says it was cancelled", async () => {
  const { page } = await openSettings({
    currentOrg: demoOrg,
    overview: overview([]),
    holdSignIn: true,
    signIn: { error: null },
  });
  await page.fill("#signin-alias", "acme");
  await page.click("#signin-submit");
  await page.waitForSelector("#signin-cancel:visible");
  await page.click("#signin-cancel");
  await page.waitForSelector('#settings-notice[data-code="abandoned"]');
  assert.equal(await page.textContent("#settings-notice-text"), en["settings.error.abandoned"]);
  assert.equal((await calls(page, "cancel_sign_in")).length, 1);
  await page.close();
});

test("a refused sign-in link is explained", async () => {
  const { page } = await openSettings({ currentOrg: demoOrg, overview: overview([]) });
  await page.evaluate(() =>
    window.__emit("sign-in-link-refused", { code: "foreign_link", message: "this sign-in link was not started by Ringside" }),
  );
  await page.waitForSelector('#settings-notice[data-code="foreign_link"]');
  assert.equal(await page.textContent("#settings-notice-text"), en["settings.error.foreign_link"]);
  await page.close();
});

test("Use, Sign out and Remove (two clicks) call their commands and refresh the badge", async () => {
  const acmeIdle = entry("acme", { username: "dana@acme.example" });
  const acmeInUse = { ...acmeIdle, active: true, in_use: true };
  const { page, errors } = await openSettings({
    currentOrg: demoOrg,
    overview: overview([acmeIdle, entry("old", { signed_in: false })]),
    useOrg: { afterOrg: acmeOrg, afterOverview: overview([acmeInUse, entry("old", { signed_in: false })]) },
    sign_out_org: {
      result: { revoked: true, not_revoked_reason: null },
      afterOrg: demoOrg,
      afterOverview: overview([{ ...acmeIdle, signed_in: false }, entry("old", { signed_in: false })]),
    },
    remove_org: {
      result: { revoked: true, not_revoked_reason: null },
      afterOrg: demoOrg,
      afterOverview: overview([{ ...acmeIdle, signed_in: false }]),
    },
  });
  await page.click('.org-row[data-alias="acme"] button[data-action="use"]');
  await page.waitForFunction(() => document.getElementById("org-badge")?.textContent === "acme");
  assert.deepEqual((await calls(page, "use_org"))[0].args, { alias: "acme" });

  await page.click('.org-row[data-alias="acme"] button[data-action="sign-out"]');
  await page.waitForSelector('.org-row[data-alias="acme"][data-signed-in="false"]');
  assert.equal(await page.textContent("#settings-notice-text"), fill(en["settings.signOut.done"], { alias: "acme" }));
  await page.waitForFunction(() => document.getElementById("org-badge")?.dataset.demo === "true");

  await page.click('.org-row[data-alias="old"] button[data-action="remove"]');
  assert.deepEqual(await calls(page, "remove_org"), [], "the first click only asks to confirm");
  assert.equal(
    await page.textContent('.org-row[data-alias="old"] button[data-action="remove"]'),
    fill(en["settings.action.confirmRemove"], { alias: "old" }),
  );
  await page.click('.org-row[data-alias="old"] button[data-action="remove"]');
  await page.waitForSelector('.org-row[data-alias="old"]', { state: "detached" });
  assert.deepEqual((await calls(page, "remove_org"))[0].args, { alias: "old" });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a keyring problem and an unusable active org are shown; Arabic is right-to-left", async () => {
  const ar = await catalogOf("ar");
  const { page } = await openSettings(
    {
      currentOrg: demoOrg,
      overview: overview([entry("acme", { active: true, signed_in: null })], {
        keyring_problem: "no OS keyring is available (Secret Service (D-Bus org.freedesktop.secrets): …)",
        active_problem: "acme is signed out",
      }),
    },
    { locale: "ar" },
  );
  assert.equal(await page.getAttribute("html", "dir"), "rtl");
  assert.equal(await page.textContent("#nav-settings"), ar["settings.nav"]);
  const keyring = await page.textContent("#settings-keyring-problem");
  assert.ok(keyring.includes(ar["settings.keyringProblem"]) && keyring.includes("Secret Service"), keyring);
  assert.ok((await page.textContent("#settings-active-problem")).includes("acme is signed out"));
  await page.close();
});

test("a sign-in link refused before the view loaded (the app's start link) is shown once", async () => {
  const { page } = await openSettings({
    currentOrg: demoOrg,
    overview: overview([], { refused_link: { code: "foreign_link", message: "this sign-in link was not started by Ringside" } }),
  });
  await page.waitForSelector('#settings-notice[data-code="foreign_link"]');
  assert.equal(await page.textContent("#settings-notice-text"), en["settings.error.foreign_link"]);
  await page.close();
});

test("each update notice is one quiet line in words, the installed update's included, in English and Arabic", async () => {
  for (const locale of ["en", "ar"]) {
    const catalog = await catalogOf(locale);
    for (const kind of ["refused", "not_installable", "install_failed", "installed"]) {
      const { page, errors } = await openSettings(
        { currentOrg: demoOrg, overview: overview([]), updateNotice: { kind, version: "0.2.0", at_ms: 0 } },
        { locale },
      );
      const line = page.locator("#settings-update");
      await line.waitFor({ state: "visible" });
      assert.equal(await line.getAttribute("data-kind"), kind);
      assert.equal(await line.getAttribute("role"), "status", "announced politely, never a dialog");
      assert.equal(
        await line.textContent(),
        fill(catalog[`settings.update.${kind}`], { version: "0.2.0" }),
        `${locale}: the ${kind} notice in the catalog's words, with the version`,
      );
      assert.deepEqual(errors, []);
      await page.close();
    }
  }
  const { page } = await openSettings({ currentOrg: demoOrg, overview: overview([]), updateNotice: null });
  assert.equal(await page.locator("#settings-update").isHidden(), true, "no notice, no line");
  await page.close();
});
