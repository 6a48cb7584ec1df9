// Re-attaching a detached note: its card's "Re-attach" (hidden without
// JavaScript, which it needs) enters a mode in which the selection toolbar
// offers only "Re-attach here"; the next selection in the tier's text becomes
// the note's place (POST /notes/<id>/reattach/, answered like every note change
// with out-of-band swaps: its blocks with the new mark, its card moved from
// "Detached notes" into the panel's list). Esc, or "Re-attach" again, cancels.
// My notes links to the tier with ?reattach=<id>, which starts the mode there.

import { selectionToAnchor } from "./annotate.js";
import { closeDrawer, showNote } from "./notes-panel.js";

let mode = null; // { id, url, card }

const toolbar = () => document.getElementById("selection-toolbar");
const reattachButton = () => toolbar()?.querySelector('[data-action="reattach"]');

function say(message) {
  const status = document.getElementById("notes-status");
  if (status) status.textContent = message;
}

function setToolbar(on) {
  const bar = toolbar();
  if (!bar) return;
  for (const button of bar.querySelectorAll('[data-action="highlight"], [data-action="note"]')) button.hidden = on;
  const here = reattachButton();
  if (here) here.hidden = !on;
  bar.classList.toggle("is-reattaching", on);
}

function reveal() {
  if (!reattachButton()) return;
  for (const button of document.querySelectorAll(".note-reattach[hidden]")) button.hidden = false;
}

function enter(button) {
  const card = button.closest(".note-entry");
  leave({ quiet: true });
  mode = { id: card.dataset.noteId, url: button.dataset.reattachUrl, card };
  button.setAttribute("aria-pressed", "true");
  card.classList.add("is-reattaching");
  setToolbar(true);
  say("Select the note’s new place in the text, then choose “Re-attach here”. Esc cancels.");
  // On a narrow screen the drawer covers the text: close it, and start at the text.
  closeDrawer({ restore: false });
  const heading = document.getElementById("tier-heading");
  if (heading && !window.matchMedia("(min-width: 1100px)").matches) heading.focus({ preventScroll: true });
}

function leave({ quiet = false } = {}) {
  if (!mode) return;
  const { card } = mode;
  mode = null;
  card.classList.remove("is-reattaching");
  card.querySelector(".note-reattach")?.setAttribute("aria-pressed", "false");
  setToolbar(false);
  if (!quiet) say("Re-attaching cancelled.");
}

function place() {
  const anchor = selectionToAnchor();
  if (!mode || !anchor) return;
  const { id, url } = mode;
  const bar = toolbar();
  // The answer's swaps put the note's mark in the text and its card in the list.
  window.htmx.ajax("POST", url, {
    source: bar, swap: "none", values: { start: anchor.start, end: anchor.end, exact: anchor.exact },
  }).then(() => {
    if (document.querySelector(`#notes-list > #panel-note-${CSS.escape(id)}`)) {
      leave({ quiet: true });
      bar.hidden = true;
      window.getSelection()?.removeAllRanges();
      say("Note re-attached.");
      showNote(id);
    }
  });
}

function onClick(event) {
  const start = event.target.closest(".note-reattach");
  if (start) {
    if (mode && mode.card === start.closest(".note-entry")) leave();
    else enter(start);
    return;
  }
  if (event.target.closest('#selection-toolbar [data-action="reattach"]')) place();
}

function fromQuery() {
  const params = new URLSearchParams(location.search);
  const id = params.get("reattach");
  if (!id) return;
  params.delete("reattach");
  const query = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  const button = document.querySelector(`#panel-note-${CSS.escape(id)} .note-reattach`);
  if (button) enter(button);
}

export function initReattach() {
  reveal();
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && mode) leave();
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    reveal();
    if (mode && !mode.card.isConnected) leave({ quiet: true });
  });
  document.body.addEventListener("htmx:oobAfterSwap", reveal);
  fromQuery();
}
