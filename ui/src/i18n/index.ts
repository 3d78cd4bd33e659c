// i18n: owns the message catalogs, the current language, and the text direction of the page.
// Every user-visible string goes through `t`; components re-render on `onLocaleChange`.

import ar from "./locales/ar.json";
import de from "./locales/de.json";
import en from "./locales/en.json";
import fr from "./locales/fr.json";
import ja from "./locales/ja.json";
import tr from "./locales/tr.json";

export type MessageKey = keyof typeof en;
type Catalog = Record<MessageKey, string>;

export const LOCALES = ["en", "de", "fr", "tr", "ja", "ar"] as const;
export type Locale = (typeof LOCALES)[number];

// Typing each catalog as `Catalog` makes a missing key a compile error; test/catalogs.test.mjs
// also catches extra keys and empty strings.
const CATALOGS: Record<Locale, Catalog> = { en, de, fr, tr, ja, ar };
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

/** Chooses `<base>.one` or `<base>.other` by the language's plural rules. */
export function tCount(base: "status.count", count: number): string {
  const category = new Intl.PluralRules(current).select(count);
  const key: MessageKey = category === "one" ? `${base}.one` : `${base}.other`;
  return t(key, { count: new Intl.NumberFormat(current).format(count) });
}

function fillPlaceholders(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
