import { initAnnotate } from "./annotate.js";
import { initCopy } from "./copy.js";
import { initDepthPassages } from "./depth-passages.js";
import { initGlossaryFilter } from "./glossary-filter.js";
import { initGlossaryPopovers } from "./glossary-popovers.js";
import { initListen } from "./listen.js";
import { initKeyboardAnnotate } from "./keyboard-annotate.js";
import { initNotesPanel } from "./notes-panel.js";
import { initReadingPlace } from "./reading-place.js";
import { initReadingProgress } from "./reading-progress.js";
import { initReattach } from "./reattach.js";
import { initSelectionActions } from "./selection-actions.js";
import { initShortcuts } from "./shortcuts.js";
import { initTierSwitcher } from "./tier-switcher.js";

initGlossaryPopovers();
initTierSwitcher();
initDepthPassages();
initReadingPlace();
initAnnotate();
initNotesPanel();
initShortcuts();
initKeyboardAnnotate();
initReadingProgress();
initCopy();
initGlossaryFilter();
initSelectionActions();
initReattach();
initListen();

// htmx keeps a snapshot of the page as HTML for Back/Forward. Styles set from script (the
// progress bar, the toolbar's and cards' positions) would come back as inline style
// attributes, which the Content Security Policy refuses; each is set again on restore.
document.body.addEventListener("htmx:beforeHistorySave", () => {
  for (const element of document.querySelectorAll("[style]")) element.removeAttribute("style");
});
