// The built UI in Chromium with Tauri IPC mocked: search, states, errors, languages.
// Expected texts come from the catalogs, so the tests check wiring, not copy-edits.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { catalog, fill, launchBrowser, openApp, serveDist } from "./harness.mjs";

const NUMBER = "(415) 555-0123";
const MATCH = {
  object: "Contact",
  id: "003000000000001AAA",
  name: "Ada Lovelace",
  company: "Analytical Engines Ltd",
  title: "CTO",
  phone: NUMBER,
  email: "ada@example.com",
  matched_field: "Phone",
  last_modified: "2026-11-01T10:00:00.000+0000",
};
const lookupResult = (matches) => ({
  query: NUMBER,
  normalized: "+14155550123",
  kind: "phone",
  matches,
  api_calls: 1,
  left_out: [],
  cached: false,
  elapsed_ms: 12,
});

let server;
let browser;
let en;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
  en = await catalog("en");
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function search(page, text = NUMBER) {
  await page.fill("#search-input", text);
  await page.press("#search-input", "Enter");
}

test("the search box has focus on load and the header says Demo org", async () => {
  const { page, errors } = await openApp(browser, server.url, { result: lookupResult([]) });
  const focused = await page.evaluate(() => document.activeElement?.id);
  assert.equal(focused, "search-input", "keyboard-first: the agent types the number without clicking");
  assert.equal(await page.textContent("#org-badge"), en["app.demoOrg"], "the user must see they are on the demo org");
  assert.deepEqual(errors, [], "the page must load without script errors");
  await page.close();
});

test("typing a number and pressing Enter shows Searching…, then the match", async () => {
  const { page, errors } = await openApp(browser, server.url, { result: lookupResult([MATCH]), hold: true });
  await search(page);
  await page.waitForSelector('#status[data-state="searching"]');
  assert.equal(await page.textContent("#status"), en["status.searching"], "a pending search shows the searching state");

  await page.evaluate(() => window.__releaseLookup());
  await page.waitForSelector("#matches .match");
  const calls = await page.evaluate(() => window.__ipcCalls);
  assert.deepEqual(calls, [{ cmd: "lookup_caller", args: { query: NUMBER } }], "Enter sends exactly one lookup_caller with the typed text");
  assert.equal(await page.textContent(".match-name"), MATCH.name, "the match's name is listed");
  assert.equal(await page.textContent(".match-object"), en["object.Contact"], "the object type is shown through the catalog");
  assert.equal(await page.textContent(".match-company"), MATCH.company, "the company is shown");
  assert.equal(await page.textContent(".match-phone"), NUMBER, "the matched phone is shown");
  assert.equal(await page.textContent(".match-email"), MATCH.email, "the email is shown");
  assert.equal(await page.textContent("#status"), fill(en["status.count.one"], { count: "1" }), "the count is shown");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("several matches show the plural count", async () => {
  const lead = { ...MATCH, object: "Lead", id: "00Q000000000001AAA", name: "Grace Hopper" };
  const { page } = await openApp(browser, server.url, { result: lookupResult([MATCH, lead]) });
  await search(page);
  await page.waitForSelector('#status[data-state="found"]');
  assert.equal(await page.locator(".match").count(), 2, "both matches are listed");
  assert.equal(await page.textContent("#status"), fill(en["status.count.other"], { count: "2" }), "plural form for 2");
  assert.deepEqual(await page.locator(".match-name").allTextContents(), ["Ada Lovelace", "Grace Hopper"], "the backend's rank order is kept");
  await page.close();
});

test("no match says so, with the next step", async () => {
  const { page } = await openApp(browser, server.url, { result: lookupResult([]) });
  await search(page);
  await page.waitForSelector('#status[data-state="found"]');
  assert.equal(await page.textContent("#status"), fill(en["status.noMatch"], { query: NUMBER }), "an empty result is not silent");
  assert.equal(await page.locator(".match").count(), 0, "nothing is listed");
  await page.close();
});

test("an error shows the catalog message for its code and the English detail", async () => {
  const detail = "Salesforce could not be reached (connection refused); check the network and try again";
  const { page } = await openApp(browser, server.url, { error: { code: "salesforce_unreachable", message: detail } });
  await search(page);
  await page.waitForSelector('#status[data-state="failed"]');
  assert.equal(await page.textContent("#error-message"), en["error.salesforce_unreachable"], "the agent reads the catalog message, not a raw code");
  assert.equal(await page.textContent(".error-detail"), detail, "the server's detail is available under it");
  await page.close();
});

test("an unknown error code still gets a sensible message", async () => {
  const { page } = await openApp(browser, server.url, { error: { code: "brand_new_code", message: "x" } });
  await search(page);
  await page.waitForSelector('#status[data-state="failed"]');
  assert.equal(await page.textContent("#error-message"), en["error.unknown"], "new backend codes must not show a blank or raw code");
  await page.close();
});

test("a rejection that is not an IpcError reads as backend unavailable", async () => {
  const { page } = await openApp(browser, server.url, { error: "command lookup_caller not allowed" });
  await search(page);
  await page.waitForSelector('#status[data-state="failed"]');
  assert.equal(await page.textContent("#error-message"), en["error.backend_unavailable"], "a denied/missing command is reported, not swallowed");
  await page.close();
});

test("choosing Arabic switches the page to right-to-left and Arabic text", async () => {
  const ar = await catalog("ar");
  const { page } = await openApp(browser, server.url, { result: lookupResult([MATCH]) });
  await page.selectOption("#language-select", "ar");
  assert.equal(await page.getAttribute("html", "dir"), "rtl", "Arabic is written right to left");
  assert.equal(await page.getAttribute("html", "lang"), "ar", "lang follows the choice (fonts, screen readers)");
  assert.equal(await page.textContent(".search-label"), ar["search.label"], "labels switch to Arabic");
  await search(page);
  await page.waitForSelector("#matches .match");
  assert.equal(await page.textContent(".match-object"), ar["object.Contact"], "result labels are translated too");
  await page.selectOption("#language-select", "en");
  assert.equal(await page.getAttribute("html", "dir"), "ltr", "back to left to right");
  await page.close();
});

test("the language follows navigator.language (de-DE → German)", async () => {
  const de = await catalog("de");
  const german = await launchBrowser({ locale: "de-DE" });
  try {
    const { page } = await openApp(german, server.url, { result: lookupResult([]) });
    assert.equal(await page.getAttribute("html", "lang"), "de", "the OS/browser language picks the catalog");
    assert.equal(await page.textContent("#search-submit"), de["search.submit"], "German button text");
    assert.equal(await page.inputValue("#language-select"), "de", "the selector shows the active language");
  } finally {
    await german.close();
  }
});

test("a slow answer to an older search does not replace the newer search's result", async () => {
  const older = { ...MATCH, name: "Older Search" };
  const newer = { ...MATCH, id: "003000000000002AAA", name: "Newer Search" };
  const { page } = await openApp(browser, server.url, {
    byQuery: {
      "111": { result: { ...lookupResult([older]), query: "111" }, delayMs: 600 },
      "222": { result: { ...lookupResult([newer]), query: "222" } },
    },
  });
  await search(page, "111");
  await search(page, "222");
  await page.waitForSelector('#status[data-state="found"]');
  await page.waitForFunction(() => window.__ipcCalls.length === 2);
  await new Promise((resolve) => setTimeout(resolve, 900)); // let the older answer arrive
  assert.deepEqual(await page.locator(".match-name").allTextContents(), ["Newer Search"], "the agent sees the caller they searched last");
});
