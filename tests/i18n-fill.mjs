// Catalog messages as the UI shows them, for the browser and desktop tests alike: values
// isolated the way ui/src/i18n/interpolate.ts isolates them.

/** U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE, as ui/src/i18n/interpolate.ts puts them. */
export const FSI = "\u2068";
export const PDI = "\u2069";

/**
 * A catalog message as the app shows it: each `{name}` replaced by its value, isolated in
 * FSI…PDI the way ui/src/i18n/interpolate.ts does (so a number keeps its order in RTL text).
 */
export function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) ? (String(params[name]) === "" ? "" : FSI + String(params[name]) + PDI) : whole,
  );
}

/** Displayed text without isolate marks: the values as they are, for checks about content. */
export function plain(text) {
  return text.replace(/[\u2066-\u2069]/g, "");
}
