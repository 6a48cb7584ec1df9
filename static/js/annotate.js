// Selecting text in the tier's <article> offers "Highlight" and "Add note".
// Offsets are counted in the tier's canonical text (defined once, on the
// server, in reader/text/canonical.py): every text container carries
// data-start, and inside it the DOM text is the canonical text, so an offset
// is data-start plus the characters before the selection point. What stands
// between containers is written by the server on the <article> element:
// data-block-separator, data-row-separator and data-cell-separator.
//
// Offsets count Unicode code points, as the server and the W3C model's
// TextPositionSelector do; JavaScript strings count UTF-16 units, in which a
// character outside the Basic Multilingual Plane (most emoji) is two. So every
// length measured in the DOM goes through codePointLength(), and every offset
// into a DOM string through utf16Index().

import { schedule as placeNotes } from "./notes-panel.js";

const SHOW_DELAY_MS = 150;
// Touch: below the selection, clear of its handles, since the browser's own menu sits above it.
const TOUCH_GAP_PX = 28;
const EDGE_PX = 8;
let lastPointer = "mouse";
let showTimer = null;
let current = null; // { start, end, exact, anchorId }

const article = () => document.querySelector("article.reading");
const toolbar = () => document.getElementById("selection-toolbar");
const containers = () => [...article().querySelectorAll("[data-start]")];

function containerText(container) {
  return container.textContent;
}

/** The number of code points in a string (a surrogate pair counts once). */
export function codePointLength(text) {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    // A low surrogate right after a high one completes the same code point.
    if (!(unit >= 0xdc00 && unit <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) {
      count += 1;
    }
  }
  return count;
}

/** The UTF-16 index in ``text`` of the code point at ``codePoints`` (its length past the end). */
export function utf16Index(text, codePoints) {
  let index = 0;
  for (let seen = 0; seen < codePoints && index < text.length; seen += 1) {
    const unit = text.charCodeAt(index);
    const pair = unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length
      && text.charCodeAt(index + 1) >= 0xdc00 && text.charCodeAt(index + 1) <= 0xdfff;
    index += pair ? 2 : 1;
  }
  return index;
}

function pointOffset(node, offset, edge) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const container = element?.closest("[data-start]");
  if (container && article().contains(container)) {
    const range = document.createRange();
    range.setStart(container, 0);
    range.setEnd(node, offset);
    return Number(container.dataset.start) + codePointLength(range.toString());
  }
  // Between containers (e.g. in a <ul> or <tr>): snap to the nearest text.
  const all = containers();
  const probe = document.createRange();
  if (edge === "start") {
    for (const candidate of all) {
      probe.selectNodeContents(candidate);
      if (probe.comparePoint(node, offset) <= 0) return Number(candidate.dataset.start);
    }
  } else {
    for (const candidate of all.reverse()) {
      probe.selectNodeContents(candidate);
      if (probe.comparePoint(node, offset) >= 0) {
        return Number(candidate.dataset.start) + codePointLength(containerText(candidate));
      }
    }
  }
  return null;
}

function separator(previous, next) {
  const { blockSeparator, rowSeparator, cellSeparator } = article().dataset;
  if (previous.closest("table") && previous.closest("table") === next.closest("table")) {
    return previous.parentElement === next.parentElement ? cellSeparator : rowSeparator;
  }
  return blockSeparator;
}

export function canonicalSlice(start, end) {
  let text = "";
  let cursor = null;
  let previous = null;
  for (const container of containers()) {
    const from = Number(container.dataset.start);
    const content = containerText(container);
    const to = from + codePointLength(content);
    const a = Math.max(start, from);
    const b = Math.min(end, to);
    if (a > b || (a === b && content.length)) continue;
    if (previous && cursor !== null && a > cursor) text += separator(previous, container);
    text += content.slice(utf16Index(content, a - from), utf16Index(content, b - from));
    cursor = b;
    previous = container;
  }
  return text;
}

export function selectionToAnchor(selection = window.getSelection()) {
  if (!article() || !selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  if (!article().contains(range.commonAncestorContainer) && range.commonAncestorContainer !== article()) {
    return null;
  }
  // A passage from another depth ("Go deeper"), the preview of notes there, or a landing note is not this tier's text.
  const inAside = (node) =>
    (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.closest(".depth-passage, .depth-markers, .landing-note");
  if (inAside(range.startContainer) || inAside(range.endContainer)) return null;
  const start = pointOffset(range.startContainer, range.startOffset, "start");
  const end = pointOffset(range.endContainer, range.endOffset, "end");
  if (start === null || end === null || end <= start) return null;
  const exact = canonicalSlice(start, end);
  if (!exact.trim()) return null;
  const startElement = range.startContainer.nodeType === Node.ELEMENT_NODE ? range.startContainer : range.startContainer.parentElement;
  const anchorId = startElement?.closest("[id]")?.id || "";
  const rects = [...range.getClientRects()].filter((box) => box.width || box.height);
  const rect = range.getBoundingClientRect();
  return { start, end, exact, anchorId, rect, last: rects.at(-1) || rect };
}

function hideToolbar() {
  const bar = toolbar();
  if (bar) bar.hidden = true;
  current = null;
}

function isTouch() {
  return lastPointer === "touch" || window.matchMedia("(pointer: coarse)").matches;
}

// Where the toolbar goes, in the coordinates of its offset parent (the tier region).
// With a mouse: above the selection (below it when there is no room). By touch:
// below the selection's last line, where the thumb is and clear of the browser's
// own menu above it, kept inside the visible part of the viewport (the on-screen
// keyboard and pinch zoom shrink it), else at the bottom edge.
function placeToolbar(bar, anchor) {
  bar.hidden = false;
  bar.classList.toggle("is-touch", isTouch());
  const width = bar.offsetWidth;
  const height = bar.offsetHeight;
  const parent = bar.offsetParent || document.body;
  const origin = parent.getBoundingClientRect();
  const view = window.visualViewport;
  const viewTop = view ? view.offsetTop : 0;
  const viewLeft = view ? view.offsetLeft : 0;
  const viewHeight = view ? view.height : window.innerHeight;
  const viewWidth = view ? view.width : document.documentElement.clientWidth;
  const { rect, last } = anchor;
  let top;
  let centre;
  if (isTouch()) {
    top = last.bottom + TOUCH_GAP_PX;
    top = Math.min(top, viewTop + viewHeight - height - EDGE_PX);
    top = Math.max(top, viewTop + EDGE_PX);
    centre = last.left + last.width / 2;
  } else {
    top = rect.top - height - EDGE_PX;
    if (top < EDGE_PX) top = rect.bottom + EDGE_PX;
    centre = rect.left + rect.width / 2;
  }
  let left = centre - width / 2;
  left = Math.max(viewLeft + EDGE_PX, Math.min(left, viewLeft + viewWidth - width - EDGE_PX));
  bar.style.top = `${Math.round(top - origin.top - parent.clientTop)}px`;
  bar.style.left = `${Math.round(left - origin.left - parent.clientLeft)}px`;
}

function updateToolbar() {
  const bar = toolbar();
  if (!bar) return;
  if (bar.contains(document.activeElement)) return;
  const anchor = selectionToAnchor();
  if (!anchor) {
    hideToolbar();
    return;
  }
  current = anchor;
  // Signed out: "Sign in to annotate" and "or create a free account" both come back to the passage.
  const next = `${location.pathname}${anchor.anchorId ? `#${anchor.anchorId}` : ""}`;
  for (const link of bar.querySelectorAll('[data-action="sign-in"], [data-action="sign-up"]')) {
    link.href = `${link.dataset.loginUrl ?? link.dataset.signupUrl}?next=${encodeURIComponent(next)}`;
  }
  placeToolbar(bar, anchor);
}

/** Show the toolbar for the selection now, not after the selectionchange delay (keyboard-annotate.js). */
export function showSelectionToolbar() {
  clearTimeout(showTimer);
  updateToolbar();
}

function status(message) {
  const region = document.getElementById("annotate-status");
  if (!region) return;
  region.textContent = message;
  region.hidden = !message;
}

function createNote(anchor, body) {
  const bar = toolbar();
  // The answer is out-of-band swaps only: the blocks the note lies on and its card.
  window.htmx.ajax("POST", bar.dataset.createUrl, {
    source: bar,
    swap: "none",
    values: { start: anchor.start, end: anchor.end, exact: anchor.exact, body },
  });
}

function openEditor(anchor) {
  const dialog = document.getElementById("note-editor");
  if (!dialog) return;
  const form = dialog.querySelector("form");
  form.elements.start.value = anchor.start;
  form.elements.end.value = anchor.end;
  form.elements.exact.value = anchor.exact;
  form.elements.body.value = "";
  if (form.elements.tags) form.elements.tags.value = "";
  dialog.querySelector('[data-role="quote"]').textContent = anchor.exact;
  fitEditor();
  dialog.showModal();
  form.elements.body.focus();
}

// The on-screen keyboard shrinks the visual viewport, not always the layout one
// (dvh does not follow it on Android Chrome): keep the editor inside what is visible.
function fitEditor() {
  const dialog = document.getElementById("note-editor");
  const view = window.visualViewport;
  if (!dialog || !view) return;
  dialog.style.setProperty("--visible-height", `${Math.floor(view.height)}px`);
  dialog.style.setProperty("--visible-top", `${Math.floor(view.offsetTop)}px`);
}

/** Highlight the selected passage; false when nothing in the text is selected. */
export function highlightSelection() {
  const anchor = selectionToAnchor() || current;
  if (!anchor || !toolbar()?.dataset.createUrl || !document.getElementById("note-editor")) return false;
  createNote(anchor, "");
  hideToolbar();
  window.getSelection()?.removeAllRanges();
  return true;
}

/** Open the note editor on the selected passage; false when nothing in the text is selected. */
export function noteSelection() {
  const anchor = selectionToAnchor() || current;
  if (!anchor || !document.getElementById("note-editor")) return false;
  hideToolbar();
  openEditor(anchor);
  return true;
}

function onToolbarClick(event) {
  const button = event.target.closest("#selection-toolbar [data-action]");
  if (!button || !current) return;
  if (button.dataset.action === "highlight") highlightSelection();
  else if (button.dataset.action === "note") noteSelection();
}

function onKeyDown(event) {
  const bar = toolbar();
  if (!bar || bar.hidden) return;
  // Tab from a selection goes to the toolbar first, so that it can be reached by keyboard.
  if (event.key === "Tab" && !event.shiftKey && !bar.contains(document.activeElement) && current) {
    event.preventDefault();
    bar.querySelector("button, a")?.focus();
  } else if (event.key === "Escape" && bar.contains(document.activeElement)) {
    hideToolbar();
  }
}

// Ctrl+Enter (Cmd+Enter on a Mac) saves a note form: the Add note dialog, or a card's edit form.
function onSaveKey(event) {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.repeat) return;
  const form = event.target.closest?.("#note-editor form, .note-entry.editing form");
  if (!form) return;
  event.preventDefault();
  form.requestSubmit();
}

function onEditorClick(event) {
  if (event.target.closest('#note-editor [data-action="cancel"]')) {
    event.target.closest("dialog").close();
  }
}

// A card made or restored arrives at the end of its list: move it to its place in
// reading order. Past the last card loaded so far it is dropped: the next page
// of cards (loaded by cursor) brings it.
function placeNewCards() {
  for (const list of document.querySelectorAll("#notes-list, #notes-detached")) {
    const cards = [...list.querySelectorAll(":scope > li.note-entry[data-note-start]")];
    const newest = cards.at(-1);
    if (!newest || cards.length < 2) continue;
    const start = Number(newest.dataset.noteStart);
    const next = cards.slice(0, -1).find((card) => Number(card.dataset.noteStart) > start);
    if (next) list.insertBefore(newest, next);
    else if (list.querySelector(":scope > .notes-loader")) newest.remove();
    else list.appendChild(list.querySelector(":scope > .notes-loader") || newest);
  }
}

function onResponseError(event) {
  const text = event.detail.xhr?.responseText || "That did not work. Please try again.";
  status(text);
}

function onSelectionChange() {
  clearTimeout(showTimer);
  showTimer = setTimeout(updateToolbar, SHOW_DELAY_MS);
}

// A long press, or dragging a selection handle, ends with touchend: show the toolbar now.
function onTouchEnd() {
  lastPointer = "touch";
  clearTimeout(showTimer);
  showTimer = setTimeout(updateToolbar, 0);
}

export function initAnnotate() {
  document.addEventListener("selectionchange", onSelectionChange);
  document.addEventListener("click", onToolbarClick);
  document.addEventListener("click", onEditorClick);
  document.addEventListener("pointerdown", (event) => {
    lastPointer = event.pointerType === "touch" ? "touch" : "mouse";
  }, { passive: true, capture: true });
  document.addEventListener("touchend", onTouchEnd, { passive: true });
  window.visualViewport?.addEventListener("resize", () => {
    fitEditor();
    if (current && !toolbar()?.hidden) updateToolbar();
  });
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("keydown", onSaveKey);
  document.body.addEventListener("htmx:responseError", onResponseError);
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful && event.detail.elt?.closest?.("#note-editor")) {
      document.getElementById("note-editor")?.close();
      status("");
    }
  });
  document.body.addEventListener("htmx:oobAfterSwap", () => {
    placeNewCards();
    placeNotes();
  });
}
