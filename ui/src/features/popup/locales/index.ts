// The pop-up feature's messages: tray labels and the pop-up's title (sent to the shell), owner,
// "Open in Salesforce", the end of a call, and the create form for an unknown caller.

import type { FeatureCatalog } from "../../../i18n/locale";
import ar from "./ar.json";
import de from "./de.json";
import en from "./en.json";
import fr from "./fr.json";
import ja from "./ja.json";
import tr from "./tr.json";

const catalog: FeatureCatalog<typeof en> = { en, de, fr, tr, ja, ar };
export default catalog;
