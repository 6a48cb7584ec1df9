import { initAnnotate } from "./annotate.js";
import { initGlossaryPopovers } from "./glossary-popovers.js";
import { initTierSwitcher } from "./tier-switcher.js";

initGlossaryPopovers();
initTierSwitcher();
initAnnotate();
