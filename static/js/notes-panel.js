// The notes panel: margin notes on wide screens, a drawer on narrow ones.
//
// At WIDE and wider the panel is the right margin (notes.css) and each card of
// #notes-list sits level with the first <mark id="note-<uuid>"> of its note;
// a card that would overlap the one before is pushed down, in reading order
// (DOM order), like comments in a document editor. The card last shown from
// its mark sits exactly level with it and the cards before it move up to make
// room. Placement is one read pass (marks' tops, cards' heights) and one
// write pass (a custom property per card), run at most once a frame: on load,
// resize, htmx swaps, fonts loading, and whenever a card or the text changes
// height (ResizeObserver).
//
// Narrower, the cards are in a drawer (a bottom sheet) opened by the
// "Notes (n)" button under the text, or by a tap on a mark; nothing covers the
// text until the reader opens it. Without JavaScript the panel is a plain list
// below the text.
//
// Marks and cards share data-note-id: hovering or focusing one marks the other
// (.is-linked). A click on a mark, or Enter with the caret in one, brings its
// card into view and focuses it, loading the card first if its page of the
// panel has not loaded yet; each card's "Show in text" link goes back.

const WIDE = "(min-width: 68.75rem)"; // 1100 px at the default text size, as in notes.css
const GAP = 8; // px between cards in the margin
const LINKED = "is-linked";

const wide = window.matchMedia(WIDE);
let frame = 0;
let active = ""; // the note whose card sits exactly level with its mark
let returnFocus = null; // where focus goes when the drawer closes
const sizes = new ResizeObserver(() => schedule());
let loaderObserver = null;

const panel = () => document.getElementById("notes-panel");
const list = () => document.getElementById("notes-list");
const drawer = () => document.getElementById("notes-drawer");
const toggle = () => panel()?.querySelector(".notes-toggle");
const markOf = (id) => document.getElementById(`note-${id}`);
const cardOf = (id) => document.getElementById(`panel-note-${id}`);

/** Run refresh() once before the next frame, however many times this is called. */
export function schedule() {
  if (!frame) frame = requestAnimationFrame(refresh);
}

function refresh() {
  cancelAnimationFrame(frame);
  frame = 0;
  const aside = panel();
  if (!aside || !list()) return;
  enhance(aside);
  layout();
}

// --- once per panel (the tier region is swapped whole when switching depth) ---------------

function enhance(aside) {
  if (!aside.classList.contains("is-enhanced")) {
    aside.classList.add("is-enhanced");
    sizes.disconnect();
    const article = document.querySelector("article.reading");
    if (article) sizes.observe(article);
  }
  for (const card of list().querySelectorAll(":scope > li.note-entry")) {
    if (card.dataset.observed) continue;
    card.dataset.observed = "1";
    sizes.observe(card);
    addShowInText(card);
  }
  updateCount();
  watchLoader();
}

function addShowInText(card) {
  const id = card.dataset.noteId;
  const actions = card.querySelector(".note-actions");
  if (!id || !actions || actions.querySelector(`a[href="#note-${CSS.escape(id)}"]`)) return;
  const quote = card.querySelector(".note-quote")?.textContent.trim() || "";
  const link = document.createElement("a");
  link.href = `#note-${id}`;
  link.className = "note-show";
  link.dataset.action = "show-in-text";
  link.textContent = "Show in text";
  const hidden = document.createElement("span");
  hidden.className = "visually-hidden";
  hidden.textContent = `: “${quote.length > 40 ? `${quote.slice(0, 39)}…` : quote}”`;
  link.append(hidden);
  actions.prepend(link);
}

/** The count on the drawer button: the tier's notes, loaded or not (each anchored one has marks). */
function updateCount() {
  const count = panel()?.querySelector(".notes-count");
  if (!count) return;
  const ids = new Set();
  for (const mark of document.querySelectorAll("article.reading mark[data-note-id]")) ids.add(mark.dataset.noteId);
  const total = ids.size + document.querySelectorAll("#notes-detached > li.note-entry").length;
  const text = `(${total})`;
  if (count.textContent !== text) count.textContent = text;
}

// The next page of cards loads when its loader is scrolled into view. htmx's
// "revealed" only sees the window scroll; the drawer scrolls on its own, so an
// IntersectionObserver (which sees clipping by the drawer) triggers it too.
let watched = null;
function watchLoader() {
  const link = list()?.querySelector(":scope > .notes-loader [data-hx-trigger]") || null;
  if (link === watched) return;
  watched = link;
  loaderObserver?.disconnect();
  if (!link) return;
  loaderObserver = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    if (link.hasAttribute("data-hx-revealed") || !link.isConnected) return;
    link.setAttribute("data-hx-revealed", "true");
    window.htmx.trigger(link, "revealed");
  });
  loaderObserver.observe(link);
}

// --- margin layout ------------------------------------------------------------------------

function layout() {
  const aside = panel();
  const ol = list();
  if (!wide.matches) {
    aside.classList.remove("is-placed");
    return;
  }
  if (active && !cardOf(active)?.contains(document.activeElement)) active = "";
  // Read: every position and size first (one layout), nothing written meanwhile.
  const origin = ol.getBoundingClientRect().top;
  const items = [...ol.children].map((item) => {
    const mark = item.dataset.noteId ? markOf(item.dataset.noteId) : null;
    return {
      item,
      id: item.dataset.noteId || "",
      want: mark ? mark.getBoundingClientRect().top - origin : null,
      height: item.offsetHeight,
    };
  });
  // Compute: in reading order, each at its mark or just below the one before.
  const stack = (entries) => {
    let bottom = 0;
    for (const entry of entries) {
      entry.top = Math.max(entry.want ?? bottom, bottom);
      bottom = entry.top + entry.height + GAP;
    }
  };
  stack(items);
  const focus = items.find((entry) => entry.id && entry.id === active && entry.want !== null);
  let raised = null;
  if (focus && focus.top > focus.want + 1) {
    // The card shown from its mark sits level with it: the cards before it move up to make room...
    const tops = items.map((entry) => entry.top);
    const at = items.indexOf(focus);
    focus.top = focus.want;
    let limit = focus.top;
    for (let i = at - 1; i >= 0 && items[i].top + items[i].height + GAP > limit; i -= 1) {
      items[i].top = limit - GAP - items[i].height;
      limit = items[i].top;
    }
    if (items[0].top < 0) {
      // ...unless there is no room above (notes too dense): then it rises over the others, which keep their places.
      items.forEach((entry, i) => {
        entry.top = tops[i];
      });
      raised = focus;
      stack(items.filter((entry) => entry !== focus));
      focus.top = focus.want;
    } else {
      stack(items.slice(at));
    }
  }
  const bottom = Math.max(0, ...items.map((entry) => entry.top + entry.height + GAP));
  // Write: one custom property per card and the list's height.
  for (const entry of items) {
    const value = `${Math.round(entry.top)}px`;
    if (entry.item.style.getPropertyValue("--card-top") !== value) entry.item.style.setProperty("--card-top", value);
    entry.item.classList.toggle("is-raised", entry === raised);
  }
  ol.style.setProperty("--list-height", `${Math.max(0, Math.round(bottom - GAP))}px`);
  aside.classList.add("is-placed");
}

// --- linking marks and cards --------------------------------------------------------------

let hovered = "";
let focused = "";

function paintLinks() {
  for (const element of document.querySelectorAll(`.${LINKED}`)) element.classList.remove(LINKED);
  for (const id of new Set([hovered, focused])) {
    if (!id) continue;
    const selector = `article.reading mark[data-note-id="${CSS.escape(id)}"]`;
    for (const mark of document.querySelectorAll(selector)) mark.classList.add(LINKED);
    cardOf(id)?.classList.add(LINKED);
  }
}

function noteIdAt(target) {
  const element = target instanceof Element ? target : null;
  const mark = element?.closest("article.reading mark[data-note-id]");
  if (mark) return mark.dataset.noteId;
  return element?.closest("#notes-list > li.note-entry[data-note-id]")?.dataset.noteId || "";
}

function onPointerOver(event) {
  const id = noteIdAt(event.target);
  if (id !== hovered) {
    hovered = id;
    paintLinks();
  }
}

function onFocusChange() {
  if (active && !cardOf(active)?.contains(document.activeElement)) schedule(); // it goes back in line
  // Tabbing out of the open drawer closes it, so that it hides nothing focused behind it.
  const now = document.activeElement;
  if (
    panel()?.classList.contains("is-open") &&
    now && now !== document.body &&
    !panel().contains(now) &&
    !now.closest("dialog, #selection-toolbar, article.reading mark")
  ) {
    closeDrawer({ restore: false });
  }
  const id = noteIdAt(document.activeElement);
  if (id !== focused) {
    focused = id;
    paintLinks();
  }
}

// --- focusing a note's card, and back --------------------------------------------------------

function reducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

function flash(card) {
  card.classList.remove("flash");
  void card.offsetWidth; // restart the animation
  card.classList.add("flash");
}

/** Bring the card of note ``id`` into view and focus it; loads it first if needed. Resolves to the card or null. */
export async function showNote(id, { from = null } = {}) {
  let card = cardOf(id);
  if (!card) card = await loadThrough(id);
  if (!card) return null;
  if (wide.matches) {
    active = id;
    card.focus({ preventScroll: true });
    refresh(); // place it level with its mark now, before scrolling to it
    card.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "instant" : "smooth" });
  } else {
    openDrawer({ from: from || markOf(id) });
    const mark = markOf(id);
    // The mark stays in sight above the drawer (measured where it is going: it may still be sliding in).
    const drawerTop = window.innerHeight - drawer().offsetHeight;
    const box = mark?.getBoundingClientRect();
    if (box && (box.bottom > drawerTop || box.top < 0)) mark.scrollIntoView({ block: "start", behavior: "instant" });
    card.scrollIntoView({ block: "nearest", behavior: "instant" });
  }
  card.focus({ preventScroll: true });
  flash(card);
  return card;
}

// The card is on a page of the panel not loaded yet: load the pages through it
// (after the page on its way, if the loader was just scrolled into view).
async function loadThrough(id) {
  for (let attempt = 0; attempt < 3 && !cardOf(id); attempt += 1) {
    const loader = list()?.querySelector(":scope > .notes-loader a[data-hx-get]");
    if (!loader) break;
    if (loader.classList.contains("htmx-request")) {
      await settled();
      continue;
    }
    loader.setAttribute("data-hx-revealed", "true"); // no second request for the same page
    await window.htmx.ajax("GET", `${loader.getAttribute("data-hx-get")}&through=${encodeURIComponent(id)}`, {
      target: loader.closest("li"),
      swap: "outerHTML",
    });
  }
  refresh();
  return cardOf(id);
}

function settled() {
  return new Promise((resolve) => {
    document.body.addEventListener("htmx:afterSettle", resolve, { once: true });
    setTimeout(resolve, 3000);
  });
}

function focusMark(mark) {
  if (!mark.hasAttribute("tabindex")) mark.setAttribute("tabindex", "-1");
  mark.focus({ preventScroll: true });
}

function onShowInText(event) {
  const link = event.target.closest('#notes-panel .note-entry a[href^="#note-"]');
  if (!link) return;
  const mark = document.getElementById(link.hash.slice(1));
  if (!mark) return;
  if (!wide.matches) closeDrawer({ restore: false });
  // The browser scrolls to the mark and :target flashes it; focus it, for the keyboard and screen readers.
  requestAnimationFrame(() => focusMark(mark));
}

function onMarkClick(event) {
  const mark = event.target.closest("article.reading mark[data-note-id]");
  if (!mark || event.target.closest(".term, a, button") || !window.getSelection()?.isCollapsed) return;
  showNote(mark.dataset.noteId, { from: mark });
}

/** The note whose mark holds the caret or the focus, if any. */
function markAtCaret() {
  const focusedMark = document.activeElement?.closest?.("article.reading mark[data-note-id]");
  if (focusedMark) return focusedMark;
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || !selection.isCollapsed) return null;
  const node = selection.anchorNode;
  const element = node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement;
  return element?.closest("article.reading mark[data-note-id]") || null;
}

function onKeyDown(event) {
  if (event.key === "Escape" && !wide.matches && panel()?.classList.contains("is-open")) {
    if (event.target.closest?.("dialog")) return;
    event.preventDefault();
    closeDrawer();
    return;
  }
  if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const target = event.target;
  if (target.closest?.("a[href], button, input, textarea, select, summary, [contenteditable], [role='button']")) return;
  const mark = markAtCaret();
  // The focus is on the mark, or on what holds the caret (the page, <main> after a click, a passage landed on).
  if (!mark || !(target === document.body || target.contains(mark))) return;
  event.preventDefault();
  showNote(mark.dataset.noteId, { from: mark });
}

// --- the drawer (narrow screens) ----------------------------------------------------------

export function openDrawer({ from = null } = {}) {
  const aside = panel();
  if (!aside || wide.matches || !toggle()) return;
  if (!aside.classList.contains("is-open")) returnFocus = from || document.activeElement;
  aside.classList.add("is-animated", "is-open");
  toggle().setAttribute("aria-expanded", "true");
}

export function closeDrawer({ restore = true } = {}) {
  const aside = panel();
  if (!aside?.classList.contains("is-open")) return;
  aside.classList.remove("is-open");
  toggle()?.setAttribute("aria-expanded", "false");
  const back = returnFocus;
  returnFocus = null;
  if (!restore || !drawer()?.contains(document.activeElement)) return;
  if (back?.matches?.("mark")) focusMark(back);
  else if (back?.isConnected && back !== document.body) back.focus({ preventScroll: true });
  else toggle()?.focus({ preventScroll: true });
}

function onDrawerClick(event) {
  if (event.target.closest(".notes-toggle")) {
    if (panel().classList.contains("is-open")) {
      closeDrawer();
    } else {
      openDrawer({ from: event.target.closest(".notes-toggle") });
      document.getElementById("notes-heading")?.focus({ preventScroll: true });
    }
    return;
  }
  if (event.target.closest('[data-action="close-notes"]')) {
    closeDrawer();
    return;
  }
  // A tap outside the open drawer (other than on a mark, which shows its own card) closes it.
  const aside = panel();
  if (
    aside?.classList.contains("is-open") &&
    !drawer().contains(event.target) &&
    !event.target.closest("article.reading mark[data-note-id], dialog, #selection-toolbar")
  ) {
    closeDrawer({ restore: false });
  }
}

function onModeChange() {
  if (wide.matches) closeDrawer({ restore: false });
  schedule();
}

// After a delete the focused Delete button is gone: focus Undo, which says what happened.
function onStatusSwap(event) {
  const target = event.detail?.target;
  if (target?.id === "notes-status") {
    const undo = document.getElementById("notes-status")?.querySelector("button");
    if (undo && (document.activeElement === document.body || !document.activeElement)) undo.focus();
  }
  schedule();
}

export function initNotesPanel() {
  document.addEventListener("click", onMarkClick);
  document.addEventListener("click", onShowInText);
  document.addEventListener("click", onDrawerClick);
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("mouseover", onPointerOver);
  document.addEventListener("focusin", onFocusChange);
  document.addEventListener("focusout", () => setTimeout(onFocusChange));
  window.addEventListener("resize", schedule);
  wide.addEventListener("change", onModeChange);
  document.fonts?.ready.then(schedule);
  document.fonts?.addEventListener("loadingdone", schedule);
  document.body.addEventListener("htmx:afterSettle", schedule);
  document.body.addEventListener("htmx:afterSwap", schedule);
  document.body.addEventListener("htmx:oobAfterSwap", onStatusSwap);
  refresh(); // now, before htmx looks at what is in view
}
