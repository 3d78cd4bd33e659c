// i18n: owns the message catalogs, the current language, and the text direction of the page.
// Every user-visible string goes through `t`; components re-render on `onLocaleChange`.

import { CATALOGS, type MessageKey } from "./catalogs";
import { LOCALES, type Locale } from "./locale";

export type { MessageKey } from "./catalogs";
export { LOCALES, type Locale } from "./locale";

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

/** The message for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return fillPlaceholders(CATALOGS[current][key], params);
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

function fillPlaceholders(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
