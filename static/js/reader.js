import { initAnnotate } from "./annotate.js";
import { initDepthPassages } from "./depth-passages.js";
import { initGlossaryPopovers } from "./glossary-popovers.js";
import { initNotesPanel } from "./notes-panel.js";
import { initReadingPlace } from "./reading-place.js";
import { initShortcuts } from "./shortcuts.js";
import { initTierSwitcher } from "./tier-switcher.js";

initGlossaryPopovers();
initTierSwitcher();
initDepthPassages();
initReadingPlace();
initAnnotate();
initNotesPanel();
initShortcuts();
