// Keyboard shortcuts on a tier page, for a signed-in reader:
//   h  highlight the selected passage      n  add a note to it
//   ?  this list (the #shortcuts-help dialog, also opened from the notes panel)
// Never while typing in a field, with Ctrl, Alt or Meta held, or while a dialog is open; none
// when the reader turned single-key shortcuts off (keyboard-annotate.js).

import { highlightSelection, noteSelection } from "./annotate.js";
import { singleKeysOn } from "./keyboard-annotate.js";

const help = () => document.getElementById("shortcuts-help");

function typing(target) {
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

export function openHelp() {
  const dialog = help();
  if (!dialog || dialog.open) return;
  dialog.showModal();
  dialog.querySelector("button")?.focus();
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.repeat || event.isComposing) return;
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (typing(event.target) || typing(document.activeElement)) return;
  if (document.querySelector("dialog[open]")) return;
  if (!help() || !singleKeysOn()) return; // single-key shortcuts turned off (WCAG 2.1.4)
  let done = false;
  if (event.key === "?") {
    openHelp();
    done = true;
  } else if (event.key === "h" && !event.shiftKey) {
    done = highlightSelection();
  } else if (event.key === "n" && !event.shiftKey) {
    done = noteSelection();
  }
  if (done) event.preventDefault();
}

function onClick(event) {
  if (event.target.closest('[data-action="shortcuts"]')) openHelp();
}

export function initShortcuts() {
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("click", onClick);
}
