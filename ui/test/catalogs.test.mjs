// The message catalogs: the shell's (src/i18n/locales) and each feature's
// (src/features/<feature>/locales). In each, the six languages must offer exactly the same keys,
// none empty, keeping every `{placeholder}` of the English message: a missing key would show a
// raw key to an agent. Across parts no key may be defined twice (the later part would win silently).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";

const LOCALES = ["en", "de", "fr", "tr", "ja", "ar"];
const src = new URL("../src/", import.meta.url);
const features = new URL("features/", src);
const parts = [
  { name: "shell", dir: new URL("i18n/locales/", src) },
  ...readdirSync(features)
    .map((feature) => ({ name: feature, dir: new URL(`${feature}/locales/`, features) }))
    .filter((part) => existsSync(part.dir)),
];
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

for (const { name, dir } of parts) {
  const load = (locale) => JSON.parse(readFileSync(new URL(`${locale}.json`, dir), "utf8"));

  test(`${name}: exactly the six product languages have a catalog`, () => {
    const files = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));
    assert.deepEqual(files.sort(), [...LOCALES].sort(), "DESIGN §7 names six languages; a stray or missing catalog means the selector and the files disagree");
  });

  const english = load("en");
  for (const locale of LOCALES.filter((l) => l !== "en")) {
    test(`${name}: ${locale} has the same keys as en`, () => {
      const catalog = load(locale);
      const missing = Object.keys(english).filter((k) => !(k in catalog));
      const extra = Object.keys(catalog).filter((k) => !(k in english));
      assert.deepEqual(missing, [], `${locale} lacks keys, so the UI would show raw keys there`);
      assert.deepEqual(extra, [], `${locale} has keys English lacks: renamed or dead keys`);
    });

    test(`${name}: ${locale} messages are non-empty and keep the placeholders`, () => {
      const catalog = load(locale);
      for (const [key, text] of Object.entries(english)) {
        assert.ok(typeof catalog[key] === "string" && catalog[key].trim() !== "", `${locale}.${key} is empty`);
        // Arabic's singular names no number ("one result"), so it may drop {count} in `.one` forms.
        if (key.endsWith(".one")) continue;
        assert.deepEqual(placeholders(catalog[key]), placeholders(text), `${locale}.${key} must keep en's placeholders so values still appear`);
      }
    });
  }
}

test("no key is defined by two parts", () => {
  const owner = new Map();
  for (const { name, dir } of parts) {
    for (const key of Object.keys(JSON.parse(readFileSync(new URL("en.json", dir), "utf8")))) {
      assert.ok(!owner.has(key), `${key} is defined by both ${owner.get(key)} and ${name}: prefix feature keys with the feature's name`);
      owner.set(key, name);
    }
  }
});

test("every feature catalog is merged into src/i18n/catalogs.ts", () => {
  const merged = readFileSync(new URL("i18n/catalogs.ts", src), "utf8");
  for (const { name } of parts.filter((p) => p.name !== "shell")) {
    assert.ok(merged.includes(`features/${name}/locales`), `features/${name}/locales is not imported in catalogs.ts, so its messages would never show`);
  }
});
