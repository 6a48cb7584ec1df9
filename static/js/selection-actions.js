// Copy and Define in the selection toolbar (#selection-toolbar, which
// annotate.js shows and places), for every reader, signed in or not.
//
// Copy copies the selected text. Define shows only when the selection is a
// glossary term: the selection lies inside one term of the text, or reads as a
// term's name (case, surrounding punctuation and a plural "s"/"es" aside).
// Define opens that term's popover from the term in the selection, as a click
// on it would (focus goes to the term, so Tab reaches the popover's links);
// where the selected words are not marked as a term, the toolbar shows the
// definition itself, in its status line, which also says "Copied".

import { announce, copyText, keepRegion } from "./copy.js";

const TERM = ".term[data-term]";
let selected = { text: "", range: null };

const toolbar = () => document.getElementById("selection-toolbar");
const normalise = (text) => text.toLowerCase().replace(/\s+/g, " ").replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
const elementOf = (node) => (node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement);

function termNames() {
  const names = new Map();
  for (const popover of document.querySelectorAll(".term-popover[id^='term-']")) {
    const name = normalise(popover.querySelector(".term-popover-name")?.textContent || "");
    if (name && !names.has(name)) names.set(name, popover.id.slice(5));
  }
  return names;
}

/** The glossary term the range is, as { slug, element } (element: the term in the text, if marked), or null. */
export function termOf(range) {
  if (!range || range.collapsed) return null;
  const startTerm = elementOf(range.startContainer)?.closest(TERM);
  if (startTerm && startTerm === elementOf(range.endContainer)?.closest(TERM)) {
    return { slug: startTerm.dataset.term, element: startTerm };
  }
  const text = normalise(range.toString());
  if (!text) return null;
  const names = termNames();
  const slug = names.get(text) || names.get(text.replace(/e?s$/, "")) || names.get(text.replace(/s$/, ""));
  if (!slug) return null;
  const element = [...document.querySelectorAll(`${TERM}[data-term="${CSS.escape(slug)}"]`)]
    .find((candidate) => range.intersectsNode(candidate)) || null;
  return { slug, element };
}

function statusRegion() {
  return toolbar()?.querySelector(".selection-status");
}

function onSelectionChange() {
  const bar = toolbar();
  if (!bar) return;
  const selection = document.getSelection();
  const article = document.querySelector("article.reading");
  if (!selection || selection.isCollapsed || !selection.rangeCount || !article) return;
  const range = selection.getRangeAt(0);
  if (!article.contains(range.commonAncestorContainer)) return;
  selected = { text: selection.toString(), range: range.cloneRange() };
  const define = bar.querySelector('[data-action="define"]');
  if (define) define.hidden = !termOf(range);
  const status = statusRegion();
  if (status) {
    status.textContent = "";
    status.classList.remove("is-definition");
  }
}

function showDefinition(slug) {
  const popover = document.getElementById(`term-${slug}`);
  const status = statusRegion();
  if (!popover || !status) return;
  const name = popover.querySelector(".term-popover-name")?.textContent.trim() || "";
  const definition = popover.querySelector(`#term-${CSS.escape(slug)}-definition`)?.textContent.trim() || "";
  // A "Copied" from just before would otherwise clear the definition when its time is up.
  keepRegion(status);
  status.classList.add("is-definition");
  status.textContent = `${name}: ${definition}`;
}

async function onClick(event) {
  const button = event.target.closest('#selection-toolbar [data-action="copy"], #selection-toolbar [data-action="define"]');
  if (!button) return;
  const selection = document.getSelection();
  const live = selection && !selection.isCollapsed ? selection.toString() : "";
  if (button.dataset.action === "copy") {
    const text = live || selected.text;
    if (!text) return;
    const ok = await copyText(text);
    statusRegion()?.classList.remove("is-definition");
    announce(statusRegion(), ok ? "Copied" : "Could not copy: press Ctrl+C (⌘C on a Mac)");
    return;
  }
  const range = selection && !selection.isCollapsed && selection.rangeCount ? selection.getRangeAt(0) : selected.range;
  const term = termOf(range);
  if (!term) return;
  if (term.element) {
    term.element.focus({ preventScroll: true });
    term.element.click(); // opens and pins its popover (glossary-popovers.js)
    // The selection has done its work: letting it go closes the toolbar, so Tab
    // goes from the term into its popover rather than back to the toolbar.
    document.getSelection()?.removeAllRanges();
  } else {
    showDefinition(term.slug);
  }
}

export function initSelectionActions() {
  document.addEventListener("selectionchange", onSelectionChange);
  document.addEventListener("click", onClick);
}
