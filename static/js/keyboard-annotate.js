// Annotating without a mouse (issue #19): passage mode, selection by sentence and
// word, announcements, mark <-> card, and the single-key shortcuts setting.
//
// Passage mode. The passages of the tier's <article> (paragraphs, list items,
// table rows) are one tab stop together: a roving tabindex keeps tabindex="0" on
// the last passage focused and "-1" on the others. With a passage focused:
//   ArrowDown / ArrowUp (j / k), Home / End   another passage
//   Enter                                    select the whole passage, then go to the toolbar
//                                            (with a selection already made: go to the toolbar)
//   Shift+ArrowDown / Shift+ArrowUp (S / Alt+Shift+S)   one sentence more / less
//   Shift+ArrowRight / Shift+ArrowLeft (W / Alt+Shift+W) one word more / less
// A selection grows from the passage's start and is a real DOM selection, so
// annotate.js shows its toolbar and makes the note from it (the same offsets).
// Every change is announced in a polite live region ("Selected: 2 sentences, ‘…’"),
// and so are notes made, saved, deleted and restored.
//
// Alt+M (m) goes from a mark (or a focused passage with one) to its card, and from
// a card back to its mark.
//
// Single-key shortcuts (j, k, m, S, W here; h, n, ? in shortcuts.js) can be turned
// off (WCAG 2.1.4) from the shortcuts help: kept in localStorage, and, signed in,
// in the account (POST single_keys=on|off; the page says the account's choice in
// data-account, which wins over the browser's).

import { describe, undescribe } from "./aria.js";
import { codePointLength, showSelectionToolbar, utf16Index } from "./annotate.js";
import { showNote } from "./notes-panel.js";

const STORAGE_KEY = "tiered-reader:single-key-shortcuts";
const PASSAGES = ":is(p, li)[data-start], tr";
const OUTSIDE = ".depth-passage, .depth-markers, .landing-note, .block-extras";
const QUOTE_MAX = 80;

const article = () => document.querySelector("article.reading");
let selection = null; // { passage, key, start, end } in canonical code points
let lastPassageKey = null; // to focus the passage again after its block is re-rendered
let passageMode = false; // the focus was last on a passage, its toolbar or the note editor

// --- the single-key setting --------------------------------------------------------------

const setting = () => document.querySelector(".shortcuts-setting");

function storedChoice() {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function store(choice) {
  try {
    window.localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Storage refused (private mode): the choice lasts this page.
  }
}

/** Whether single-character shortcuts are on (the account's choice when signed in, else the browser's). */
export function singleKeysOn() {
  const account = setting()?.dataset.account;
  const choice = account || storedChoice();
  return choice !== "off";
}

function syncSetting() {
  const box = document.getElementById("single-keys");
  if (box) box.checked = singleKeysOn();
  const account = setting()?.dataset.account;
  if (account) store(account);
}

function onSettingChange(event) {
  const box = event.target.closest?.("#single-keys");
  if (!box) return;
  const choice = box.checked ? "on" : "off";
  store(choice);
  const holder = setting();
  if (holder?.dataset.account) {
    holder.dataset.account = choice;
    const token = document.getElementById("tier-content")?.dataset.csrfToken;
    const body = new URLSearchParams({ single_keys: choice });
    fetch(holder.dataset.singleKeysUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: token ? { "X-CSRFToken": token } : {},
    }).catch(() => announce("Could not save the setting in your account."));
  }
  announce(box.checked ? "Single-key shortcuts on." : "Single-key shortcuts off.");
}

// --- announcements -----------------------------------------------------------------------

function liveRegion() {
  let region = document.getElementById("keyboard-announce");
  if (!region) {
    region = document.createElement("p");
    region.id = "keyboard-announce";
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    (document.querySelector("main") || document.body).append(region); // inside a landmark, outside the swapped region
  }
  return region;
}

/** Say ``message`` through the polite live region (the same text twice is said twice). */
export function announce(message) {
  const region = liveRegion();
  region.textContent = region.textContent === message ? `${message}\u00a0` : message;
}

function quoted(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  return `‘${flat.length > QUOTE_MAX ? `${flat.slice(0, QUOTE_MAX - 1)}…` : flat}’`;
}

// --- passages ----------------------------------------------------------------------------

function passages() {
  const root = article();
  if (!root) return [];
  return [...root.querySelectorAll(PASSAGES)].filter(
    (element) => !element.closest(OUTSIDE) && (element.matches("[data-start]") || element.querySelector("[data-start]")),
  );
}

function passageOf(node) {
  const element = node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement;
  const passage = element?.closest(PASSAGES);
  return passage && article()?.contains(passage) && !passage.closest(OUTSIDE) ? passage : null;
}

/** A passage's key, kept when its block is re-rendered: the id of its block and its place in it. */
function keyOf(passage) {
  const block = passage.closest("[id]");
  const within = block ? [...block.querySelectorAll(PASSAGES)].indexOf(passage) : -1;
  return { id: block?.id || "", within, index: passages().indexOf(passage) };
}

function passageByKey(key) {
  if (!key) return null;
  const block = key.id ? document.getElementById(key.id) : null;
  if (block) {
    if (key.within === -1 && block.matches(PASSAGES)) return block;
    const found = [...block.querySelectorAll(PASSAGES)][key.within];
    if (found) return found;
  }
  return passages()[key.index] || null;
}

function containersOf(passage) {
  return passage.matches("[data-start]") ? [passage] : [...passage.querySelectorAll("[data-start]")];
}

/** The passage's [start, end) in canonical code points, and its text as the DOM has it, with offsets. */
function passageText(passage) {
  const parts = containersOf(passage).map((container) => {
    const start = Number(container.dataset.start);
    return { container, start, end: start + codePointLength(container.textContent) };
  });
  const { cellSeparator } = article().dataset;
  let text = "";
  const pieces = [];
  for (const part of parts) {
    if (pieces.length) text += cellSeparator || "\t";
    pieces.push({ ...part, at: text.length });
    text += part.container.textContent;
  }
  return { start: parts[0]?.start ?? 0, end: parts.at(-1)?.end ?? 0, text, pieces };
}

function makeRoving(target) {
  for (const passage of passages()) {
    const want = passage === target ? "0" : "-1";
    if (passage.getAttribute("tabindex") !== want) passage.setAttribute("tabindex", want);
  }
}

function ensureTabStop() {
  const all = passages();
  if (!all.length || all.some((passage) => passage.getAttribute("tabindex") === "0")) {
    for (const passage of all) if (!passage.hasAttribute("tabindex")) passage.setAttribute("tabindex", "-1");
    return;
  }
  makeRoving(passageByKey(lastPassageKey) || all[0]);
}

function focusPassage(passage) {
  if (!passage) return;
  clearSelection();
  makeRoving(passage);
  describe(passage, "passage-keys-hint");
  passage.focus();
  lastPassageKey = keyOf(passage);
}

function movePassage(step) {
  const all = passages();
  const now = passageOf(document.activeElement);
  let at = all.indexOf(now);
  if (step === "first") at = 0;
  else if (step === "last") at = all.length - 1;
  else at = Math.max(0, Math.min(all.length - 1, at + step));
  if (all[at] && all[at] !== now) focusPassage(all[at]);
}

// --- selection by sentence and word ------------------------------------------------------

function clearSelection() {
  if (selection) window.getSelection()?.removeAllRanges();
  selection = null;
}

/** The ends (in code points from the passage's start) of its sentences or words. */
function boundaries(text, granularity) {
  const ends = [];
  const segmenter = new Intl.Segmenter(undefined, { granularity });
  for (const segment of segmenter.segment(text)) {
    if (granularity === "word" && !segment.isWordLike) continue;
    // A sentence ends before its trailing spaces.
    const body = granularity === "sentence" ? segment.segment.trimEnd() : segment.segment;
    if (!body.trim()) continue;
    ends.push(codePointLength(text.slice(0, segment.index + body.length)));
  }
  return ends;
}

function domPoint(info, offset) {
  // offset: code points from the passage's start of its DOM text.
  const piece = [...info.pieces].reverse().find((candidate) => codePointLength(info.text.slice(0, candidate.at)) <= offset)
    || info.pieces[0];
  let remaining = offset - codePointLength(info.text.slice(0, piece.at));
  const walker = document.createTreeWalker(piece.container, NodeFilter.SHOW_TEXT);
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = codePointLength(node.data);
    if (remaining <= length) return [node, utf16Index(node.data, remaining)];
    remaining -= length;
    last = node;
  }
  return last ? [last, last.data.length] : [piece.container, 0];
}

function applySelection(passage, end) {
  const info = passageText(passage);
  if (end <= 0) {
    clearSelection();
    announce("Nothing selected.");
    return;
  }
  const range = document.createRange();
  range.setStart(...domPoint(info, 0));
  range.setEnd(...domPoint(info, end));
  const dom = window.getSelection();
  dom.removeAllRanges();
  dom.addRange(range);
  selection = { passage, end };
  const chosen = info.text.slice(0, utf16Index(info.text, end));
  const sentences = boundaries(info.text, "sentence");
  const words = boundaries(chosen, "word").length;
  const whole = end >= codePointLength(info.text.trimEnd());
  let what;
  if (whole) what = "the whole passage";
  else if (sentences.includes(end)) {
    const count = sentences.filter((at) => at <= end).length;
    what = `${count} sentence${count === 1 ? "" : "s"}`;
  } else what = `${words} word${words === 1 ? "" : "s"}`;
  announce(`Selected: ${what}, ${quoted(chosen)}`);
}

function grow(passage, granularity, direction) {
  const info = passageText(passage);
  const now = selection?.passage === passage ? selection.end : 0;
  // By word, a sentence's end counts too: shrinking back to it keeps its full stop.
  const sentenceEnds = boundaries(info.text, "sentence");
  const ends = granularity === "sentence"
    ? sentenceEnds
    : [...new Set([...boundaries(info.text, "word"), ...sentenceEnds])].sort((a, b) => a - b);
  const next = direction > 0
    ? ends.find((at) => at > now) ?? now
    : [...ends].reverse().find((at) => at < now) ?? 0;
  if (direction > 0 && next === now) {
    announce(`Already selected: the whole passage, ${quoted(info.text)}`);
    return;
  }
  applySelection(passage, next);
}

function selectWhole(passage) {
  const info = passageText(passage);
  applySelection(passage, codePointLength(info.text));
}

function goToToolbar() {
  showSelectionToolbar();
  const bar = document.getElementById("selection-toolbar");
  const first = bar && !bar.hidden ? bar.querySelector("button:not([hidden]), a") : null;
  first?.focus();
  return Boolean(first);
}

// --- mark <-> card -----------------------------------------------------------------------

function markFrom(element) {
  const mark = element?.closest?.("article.reading mark[data-note-id]");
  if (mark) return mark;
  const passage = passageOf(element);
  if (!passage) return null;
  const range = window.getSelection()?.rangeCount ? window.getSelection().getRangeAt(0) : null;
  const marks = [...passage.querySelectorAll("mark[data-note-id]")];
  return marks.find((candidate) => range && !range.collapsed && range.intersectsNode(candidate)) || marks[0] || null;
}

function jumpMarkCard() {
  const active = document.activeElement;
  const card = active?.closest?.("#notes-panel li.note-entry[data-note-id]");
  if (card) {
    const mark = document.getElementById(`note-${card.dataset.noteId}`)
      || document.querySelector(`article.reading mark[data-note-id="${CSS.escape(card.dataset.noteId)}"]`);
    if (!mark) return false;
    if (!mark.hasAttribute("tabindex")) mark.setAttribute("tabindex", "-1");
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
    announce(`In the text: ${quoted(mark.textContent || card.querySelector(".note-quote")?.textContent || "")}`);
    return true;
  }
  const mark = markFrom(active);
  if (!mark) {
    if (passageOf(active)) announce("No note on this passage.");
    return false;
  }
  clearSelection();
  showNote(mark.dataset.noteId, { from: mark });
  return true;
}

// --- keys --------------------------------------------------------------------------------

function typing(target) {
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey) return;
  if (typing(event.target) || document.querySelector("dialog[open]")) return;
  const single = singleKeysOn();
  const { key, code, shiftKey, altKey } = event;
  const plain = !shiftKey && !altKey;
  // From a mark, a card or a passage: to the other side.
  if ((code === "KeyM" && altKey && !shiftKey) || (single && key === "m" && plain)) {
    if (jumpMarkCard()) event.preventDefault();
    return;
  }
  // Esc on the toolbar (annotate.js hides it): back to the passage the selection was made on.
  if (key === "Escape" && passageMode && document.activeElement?.closest?.("#selection-toolbar")) {
    requestAnimationFrame(() => {
      const back = passageByKey(lastPassageKey);
      if (back) focusPassage(back);
    });
    return;
  }
  const passage = passageOf(document.activeElement);
  if (!passage || document.activeElement.closest("a, button, [role='button'], .term")) return;
  let done = true;
  if (plain && (key === "ArrowDown" || (single && key === "j"))) movePassage(1);
  else if (plain && (key === "ArrowUp" || (single && key === "k"))) movePassage(-1);
  else if (plain && key === "Home") movePassage("first");
  else if (plain && key === "End") movePassage("last");
  else if (plain && key === "Enter") {
    if (!selection || selection.passage !== passage) {
      // On a highlighted passage with nothing selected, Enter goes to its note (as with a caret in a mark).
      const caret = getSelection();
      const caretNode = caret?.isCollapsed ? caret.anchorNode : null;
      const caretMark = (caretNode?.nodeType === Node.ELEMENT_NODE ? caretNode : caretNode?.parentElement)?.closest(
        "mark[data-note-id]",
      );
      const mark =
        document.activeElement.closest("mark[data-note-id]") || (caretMark?.closest("article.reading") ? caretMark : null);
      if (mark) {
        showNote(mark.dataset.noteId, { from: mark });
        event.preventDefault();
        return;
      }
      selectWhole(passage);
    }
    goToToolbar();
  } else if (shiftKey && !altKey && key === "ArrowDown") grow(passage, "sentence", 1);
  else if (shiftKey && !altKey && key === "ArrowUp") grow(passage, "sentence", -1);
  else if (shiftKey && !altKey && key === "ArrowRight") grow(passage, "word", 1);
  else if (shiftKey && !altKey && key === "ArrowLeft") grow(passage, "word", -1);
  else if (shiftKey && altKey && code === "KeyS") grow(passage, "sentence", -1);
  else if (shiftKey && altKey && code === "KeyW") grow(passage, "word", -1);
  else if (single && shiftKey && !altKey && key === "S") grow(passage, "sentence", 1);
  else if (single && shiftKey && !altKey && key === "W") grow(passage, "word", 1);
  else if (key === "Escape" && selection) {
    clearSelection();
    announce("Nothing selected.");
  } else done = false;
  if (done) {
    event.preventDefault();
    event.stopPropagation();
  }
}

function onFocusIn(event) {
  if (event.target !== document.body) {
    passageMode = Boolean(passageOf(event.target) || event.target.closest?.("#selection-toolbar, #note-editor"));
  }
  const passage = event.target.matches?.(PASSAGES) ? passageOf(event.target) : null;
  if (!passage) return;
  makeRoving(passage);
  describe(passage, "passage-keys-hint");
  lastPassageKey = keyOf(passage);
}

function onFocusOut(event) {
  const passage = event.target.matches?.(PASSAGES) ? event.target : null;
  if (passage) undescribe(passage, "passage-keys-hint");
}

// --- what a note change says -------------------------------------------------------------

function onAfterRequest(event) {
  const { successful, elt, requestConfig, pathInfo } = event.detail;
  if (!successful) return;
  const path = pathInfo?.requestPath || requestConfig?.path || "";
  const verb = (requestConfig?.verb || "").toLowerCase();
  if (verb !== "post" && verb !== "delete") return;
  let message = "";
  const createUrl = document.getElementById("selection-toolbar")?.dataset.createUrl;
  if (elt?.id === "selection-toolbar" && path === createUrl) message = "Highlight added.";
  else if (elt?.closest?.("#note-editor")) message = "Note added.";
  else if (/\/notes\/[^/]+\/update\/$/.test(path)) message = "Note saved.";
  else if (/\/notes\/[^/]+\/delete\/$/.test(path)) message = "Note deleted. Undo is in the notes panel.";
  else if (/\/notes\/[^/]+\/restore\/$/.test(path)) message = "Note restored.";
  if (message) announce(message);
}

// A card's Edit form came in, or the card came back after it, in place of what had the focus:
// focus the form's field, else the card, so that the keyboard goes on from there.
function focusSwappedCard(target) {
  const active = document.activeElement;
  if (passageMode || (active && active !== document.body)) return;
  let card = target?.closest?.("li.note-entry") || target?.querySelector?.("li.note-entry");
  if (card && !card.isConnected && card.id) card = document.getElementById(card.id); // swapped outerHTML
  if (!card?.isConnected || !card.closest("#notes-panel")) return;
  const field = card.querySelector("textarea[name=body]");
  if (field) {
    field.focus();
  } else {
    if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "-1");
    card.focus();
  }
}

// The blocks a note lies on are re-rendered: put the focus back on the passage the reader was on.
function onSwapped(event) {
  ensureTabStop();
  if (event?.detail?.target) focusSwappedCard(event.detail.target);
  const active = document.activeElement;
  if (passageMode && lastPassageKey && (!active || active === document.body)) {
    const passage = passageByKey(lastPassageKey);
    if (passage) {
      selection = null;
      makeRoving(passage);
      passage.focus({ preventScroll: true });
    }
  }
}

export function initKeyboardAnnotate() {
  ensureTabStop();
  syncSetting();
  liveRegion();
  document.addEventListener("keydown", onKeyDown, { capture: true });
  document.addEventListener("focusin", onFocusIn);
  document.addEventListener("focusout", onFocusOut);
  document.addEventListener("change", onSettingChange);
  document.body.addEventListener("htmx:afterRequest", onAfterRequest);
  document.body.addEventListener("htmx:afterSettle", onSwapped);
  document.body.addEventListener("htmx:oobAfterSwap", (event) => requestAnimationFrame(() => onSwapped(event)));
  // The note editor closed (saved or cancelled): back to the passage if the focus went nowhere.
  document.addEventListener("close", (event) => {
    if (event.target.id === "note-editor") requestAnimationFrame(() => onSwapped());
  }, true);
  // A tier swap brings a new article (and setting): one tab stop again.
  document.body.addEventListener("htmx:afterSwap", () => {
    ensureTabStop();
    syncSetting();
  });
}
