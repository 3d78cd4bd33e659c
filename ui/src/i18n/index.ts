// i18n: owns the message catalogs, the current language, and the text direction of the page.
// Every user-visible string goes through `t`; components re-render on `onLocaleChange`.

import { CATALOGS, type MessageKey } from "./catalogs";
import { fillPlaceholders } from "./interpolate";
import { LOCALES, type Locale } from "./locale";

export type { MessageKey } from "./catalogs";
export { LOCALES, type Locale } from "./locale";
export { isolate } from "./interpolate";

// Each part's catalog is typed so a missing key is a compile error; test/catalogs.test.mjs
// also catches extra keys, empty strings and keys two parts both define.
const RTL_LOCALES: ReadonlySet<Locale> = new Set<Locale>(["ar"]);
const STORAGE_KEY = "ringside.locale";

let current: Locale = "en";
const listeners = new Set<() => void>();

function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The first supported language among the user's preferences (`de-AT` → `de`), else English. */
export function pickLocale(preferences: readonly string[]): Locale {
  for (const preference of preferences) {
    const base = preference.toLowerCase().split(/[-_]/)[0] ?? "";
    if (isLocale(base)) return base;
  }
  return "en";
}

/** The language to start in: the user's earlier choice, else the OS/browser language. */
export function initialLocale(): Locale {
  const saved = readSavedLocale();
  if (saved) return saved;
  return pickLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
}

function readSavedLocale(): Locale | null {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved !== null && isLocale(saved) ? saved : null;
  } catch {
    // Why: storage can be disabled (private mode, locked-down webview); the OS language still works.
    return null;
  }
}

export function currentLocale(): Locale {
  return current;
}

export function textDirection(locale: Locale): "rtl" | "ltr" {
  return RTL_LOCALES.has(locale) ? "rtl" : "ltr";
}

/** Switches language: updates `<html lang dir>`, remembers the choice, re-renders listeners. */
export function setLocale(locale: Locale, remember = false): void {
  current = locale;
  document.documentElement.lang = locale;
  document.documentElement.dir = textDirection(locale);
  document.title = t("app.title");
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not remembered across restarts; the switch itself still applies.
    }
  }
  for (const listener of listeners) listener();
}

export function onLocaleChange(listener: () => void): void {
  listeners.add(listener);
}

/**
 * The message for `key` in the current language, with `{name}` placeholders filled in, each
 * value bidi-isolated (see ./interpolate.ts) so numbers, e-mails and ids read right in every
 * language. The result is display text: never send it to the shell or put it in an input.
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return fillPlaceholders(CATALOGS[current][key], params);
}

/**
 * `text` in a `<bdi>`: for a value shown on its own (a name or a number in a cell, beside
 * other text in a line), laid out by its first strong character (a number: left to right)
 * and isolated from its neighbours, while the cell keeps the page's alignment. The text node
 * itself carries no marks, so reading it back gives the value as it is.
 */
export function bdi(text: string): HTMLElement {
  const element = document.createElement("bdi");
  element.textContent = text;
  return element;
}

/** Salesforce objects the app names, with their catalog keys. */
const OBJECT_KEYS: Readonly<Record<string, MessageKey>> = {
  Contact: "object.Contact",
  Lead: "object.Lead",
  Account: "object.Account",
  Opportunity: "object.Opportunity",
  Case: "object.Case",
};

/**
 * A Salesforce object's name (API name `Contact`, `Lead`, `Account`, `Opportunity`, `Case`) in
 * the current language; an object the catalog lacks keeps its API name rather than showing a key.
 */
export function objectName(apiName: string): string {
  return Object.hasOwn(OBJECT_KEYS, apiName) ? t(OBJECT_KEYS[apiName] as MessageKey) : apiName;
}

/** A message in another language, e.g. each language's own name in the selector. */
export function tIn(locale: Locale, key: MessageKey): string {
  return CATALOGS[locale][key];
}

/** The bases of plural messages: keys that come as `<base>.one` and `<base>.other`. */
export type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.one` ? B : never) : never;

/** Chooses `<base>.one` or `<base>.other` by the language's plural rules. */
export function tCount(base: PluralBase, count: number): string {
  const category = new Intl.PluralRules(current).select(count);
  const key = (category === "one" ? `${base}.one` : `${base}.other`) as MessageKey;
  return t(key, { count: new Intl.NumberFormat(current).format(count) });
}
