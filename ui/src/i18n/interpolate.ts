// Filling `{placeholders}` with bidi isolation. A value put into a sentence (a phone number,
// an e-mail, a record id, a name) must keep its own direction whatever surrounds it: in an
// Arabic sentence, "+1 415 555 0123" without isolation is laid out as "0123 555 415 +1",
// because digit groups separated by spaces take the sentence's right-to-left order (UAX #9,
// rule N1). FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE makes each value its own island,
// laid out by its own first strong character (left to right when it has none, as numbers).
// Pure and import-free, so test/interpolate.test.mjs runs it under plain node.

/** U+2068 FIRST STRONG ISOLATE: opens an isolate whose direction is its first strong character's. */
export const FSI = "\u2068";
/** U+2069 POP DIRECTIONAL ISOLATE: closes the isolate. */
export const PDI = "\u2069";

/**
 * `value` as an isolated island for display text. Empty stays empty (no invisible marks where
 * nothing shows). For displayed text only: never for values sent to the shell, written to a file
 * or put into an input, where the marks would become part of the data.
 */
export function isolate(value: string): string {
  return value === "" ? "" : FSI + value + PDI;
}

/**
 * `template` with each `{name}` replaced by `params[name]`, isolated; an unknown placeholder
 * stays as written (visible, so a missing parameter is noticed rather than silently dropped).
 */
export function fillPlaceholders(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? isolate(String(params[name])) : whole,
  );
}
