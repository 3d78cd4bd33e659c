// The agent's own day (today's calls, missed calls, call back), merged in
// ../../../i18n/catalogs.ts. Keys start with `today.`.

import type { FeatureCatalog } from "../../../i18n/locale";
import ar from "./ar.json";
import de from "./de.json";
import en from "./en.json";
import fr from "./fr.json";
import ja from "./ja.json";
import tr from "./tr.json";

const catalog: FeatureCatalog<typeof en> = { en, de, fr, tr, ja, ar };
export default catalog;
