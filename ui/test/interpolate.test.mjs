// src/i18n/interpolate.ts under plain node: TypeScript's own transpiler turns the (import-free)
// module into JavaScript, imported from a data: URL. Checks that every value put into a
// message is bidi-isolated, so a phone number keeps its digit groups in order in Arabic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";

const source = readFileSync(new URL("../src/i18n/interpolate.ts", import.meta.url), "utf8");
const { outputText } = ts.transpileModule(source, {
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
});
const { FSI, PDI, fillPlaceholders, isolate } = await import(
  `data:text/javascript;base64,${Buffer.from(outputText).toString("base64")}`
);

test("the marks are U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE", () => {
  assert.equal(FSI, "\u2068", "FSI takes the value's own direction (LRI/RLI would force one)");
  assert.equal(PDI, "\u2069", "PDI closes an isolate");
});

test("each placeholder value is isolated on its own, the template's text is not", () => {
  const filled = fillPlaceholders("مكالمة {direction} من {from} إلى {to}", {
    direction: "واردة",
    from: "+1 415 555 0123",
    to: "+1 415 555 0100",
  });
  assert.equal(
    filled,
    `مكالمة ${FSI}واردة${PDI} من ${FSI}+1 415 555 0123${PDI} إلى ${FSI}+1 415 555 0100${PDI}`,
    "without the isolates an Arabic sentence lays the number out as 0123 555 415 +1",
  );
});

test("numbers, e-mails and ids are isolated too; a number param becomes its text", () => {
  assert.equal(fillPlaceholders("{n} / {mail} / {id}", { n: 3, mail: "jane@example.com", id: "003000000000001AAA" }),
    `${FSI}3${PDI} / ${FSI}jane@example.com${PDI} / ${FSI}003000000000001AAA${PDI}`);
});

test("a placeholder without a value stays visible as written, unisolated", () => {
  assert.equal(fillPlaceholders("{call}: queued", {}), "{call}: queued", "a missing parameter must be noticed, not dropped");
  assert.equal(fillPlaceholders("{toString}", {}), "{toString}", "only the params' own keys count, not Object.prototype's");
});

test("an empty value adds no invisible marks", () => {
  assert.equal(isolate(""), "");
  assert.equal(fillPlaceholders("[{x}]", { x: "" }), "[]");
});

test("the value itself is untouched inside its isolate", () => {
  const shown = fillPlaceholders("{a} → {b}", { a: "+14155550123", b: "ليلى" });
  assert.equal(shown.replace(/[\u2068\u2069]/g, ""), "+14155550123 → ليلى", "only the marks are added, nothing inside the value changes");
});
