// The shell's own messages (header, search, pop-up, errors). Features keep theirs in
// `features/<feature>/locales/` and are merged in ../catalogs.ts.

import type { FeatureCatalog } from "../locale";
import ar from "./ar.json";
import de from "./de.json";
import en from "./en.json";
import fr from "./fr.json";
import ja from "./ja.json";
import tr from "./tr.json";

const catalog: FeatureCatalog<typeof en> = { en, de, fr, tr, ja, ar };
export default catalog;
