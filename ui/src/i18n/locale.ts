// The product's languages (DESIGN §7). Its own module so feature catalogs can name `Locale`
// without importing the catalog index (which imports them).

export const LOCALES = ["en", "de", "fr", "tr", "ja", "ar"] as const;
export type Locale = (typeof LOCALES)[number];

/** One feature's messages in every language; each language must have exactly English's keys. */
export type FeatureCatalog<English> = Record<Locale, Record<keyof English, string>>;
