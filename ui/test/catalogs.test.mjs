// The six message catalogs must offer exactly the same keys, none empty, and keep every
// `{placeholder}` of the English message: a missing key would show a raw key to an agent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";

const dir = new URL("../src/i18n/locales/", import.meta.url);
const LOCALES = ["en", "de", "fr", "tr", "ja", "ar"];
const load = (locale) => JSON.parse(readFileSync(new URL(`${locale}.json`, dir), "utf8"));
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("exactly the six product languages have a catalog", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
  assert.deepEqual(files.sort(), [...LOCALES].sort(), "DESIGN §7 names six languages; a stray or missing catalog means the selector and the files disagree");
});

const english = load("en");
for (const locale of LOCALES.filter((l) => l !== "en")) {
  test(`${locale} has the same keys as en`, () => {
    const catalog = load(locale);
    const missing = Object.keys(english).filter((k) => !(k in catalog));
    const extra = Object.keys(catalog).filter((k) => !(k in english));
    assert.deepEqual(missing, [], `${locale} lacks keys, so the UI would show raw keys there`);
    assert.deepEqual(extra, [], `${locale} has keys English lacks: renamed or dead keys`);
  });

  test(`${locale} messages are non-empty and keep the placeholders`, () => {
    const catalog = load(locale);
    for (const [key, text] of Object.entries(english)) {
      assert.ok(typeof catalog[key] === "string" && catalog[key].trim() !== "", `${locale}.${key} is empty`);
      // Arabic's singular names no number ("one result"), so it may drop {count} in `.one` forms.
      if (key.endsWith(".one")) continue;
      assert.deepEqual(placeholders(catalog[key]), placeholders(text), `${locale}.${key} must keep en's placeholders so values still appear`);
    }
  });
}
