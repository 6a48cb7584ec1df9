// Glossary popovers: the HTML popover API does the showing, light dismiss and
// Escape; this module adds the hover/focus delay, placement beside the term,
// and makes a click on an already hover-opened term keep it open rather than
// toggle it shut.
//
// A term is a <span class="term" role="button" tabindex="0" data-term="slug">,
// not a <button>: a button is laid out as one atomic inline box, so a term of
// several words could never wrap across lines. This module gives the span a
// button's behaviour: click, tap, Enter and Space toggle its popover, and
// aria-expanded follows the popover's open state. Opening with the term as the
// popover's source makes it the invoker, so Tab moves from the term into the
// popover's link and then on to the text after the term.

const OPEN_DELAY_MS = 400;
const CLOSE_DELAY_MS = 250;
const GAP_PX = 8;
const EDGE_PX = 8;

let openTimer = null;
let closeTimer = null;
// The state of a term's popover when the pointer went down on the term. Light
// dismiss only spares native popovertarget buttons, so by the time the click
// arrives a press on the term itself has already closed its popover.
let pressed = null;
// How the currently open popover was opened: "click" pins it, "hover"/"focus" do not.
const openedBy = new WeakMap();
// Popovers that held focus as they began to close (set in beforetoggle, before the browser moves
// focus away): only those give focus back to their term. A hover-opened popover never had it, and
// focusing its term then would show a focus ring and reopen it "by focus", where it would stay.
const hadFocus = new WeakSet();
// The term an open popover was opened from: a term can occur more than once
// on a page (in the tier and in the closing reflection), all sharing one popover.
const sourceOf = new WeakMap();

const TERM = ".term[data-term]";
const popoverFor = (term) => document.getElementById(`term-${term.dataset.term}`);
const termsOf = (popover) => document.querySelectorAll(`.term[data-term="${CSS.escape(popover.id.slice(5))}"]`);
const termFor = (popover) => (sourceOf.get(popover)?.isConnected && sourceOf.get(popover)) || termsOf(popover)[0];

function cancelTimers() {
  clearTimeout(openTimer);
  clearTimeout(closeTimer);
}

export function place(popover, term) {
  const anchor = term.getBoundingClientRect();
  const width = popover.offsetWidth;
  const height = popover.offsetHeight;
  const viewportWidth = document.documentElement.clientWidth;
  const viewportHeight = window.innerHeight;
  const spaceBelow = viewportHeight - anchor.bottom;
  const below = spaceBelow >= height + GAP_PX || spaceBelow >= anchor.top;
  let top = below ? anchor.bottom + GAP_PX : anchor.top - height - GAP_PX;
  top = Math.max(EDGE_PX, Math.min(top, viewportHeight - height - EDGE_PX));
  let left = anchor.left + anchor.width / 2 - width / 2;
  left = Math.max(EDGE_PX, Math.min(left, viewportWidth - width - EDGE_PX));
  popover.style.top = `${Math.round(top)}px`;
  popover.style.left = `${Math.round(left)}px`;
  popover.dataset.side = below ? "below" : "above";
}

function show(term, how) {
  const popover = popoverFor(term);
  if (!popover) return;
  cancelTimers();
  if (popover.matches(":popover-open") && termFor(popover) !== term) {
    popover.hidePopover();
  }
  if (!popover.matches(":popover-open")) {
    openedBy.set(popover, how);
    sourceOf.set(popover, term);
    popover.showPopover({ source: term });
    place(popover, term);
  } else if (how === "click") {
    openedBy.set(popover, "click");
  }
}

function hideSoon(popover) {
  clearTimeout(closeTimer);
  if (!popover || openedBy.get(popover) === "click") return;
  closeTimer = setTimeout(() => {
    if (popover.matches(":popover-open") && !popover.matches(":hover") && !popover.contains(document.activeElement)) {
      popover.hidePopover();
    }
  }, CLOSE_DELAY_MS);
}

// Whether term's popover is open from term, and pinned there by a click.
function stateOf(term) {
  const popover = popoverFor(term);
  const open = Boolean(popover?.matches(":popover-open") && termFor(popover) === term);
  return { term, open, pinned: open && openedBy.get(popover) === "click" };
}

function onPointerDown(event) {
  const term = event.target.closest?.(TERM);
  pressed = term ? stateOf(term) : null;
}

function onClick(event) {
  const term = event.target.closest(TERM);
  const before = term && pressed?.term === term ? pressed : term && stateOf(term);
  pressed = null;
  if (!term) return;
  event.preventDefault();
  const popover = popoverFor(term);
  if (!popover) return;
  // A hover-opened popover is pinned open by a click rather than toggled shut.
  if (before.pinned) {
    if (popover.matches(":popover-open")) popover.hidePopover();
  } else {
    show(term, "click");
  }
}

function onKeyDown(event) {
  const term = event.target.closest?.(TERM);
  if (!term || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === "Enter") {
    // As a button does: Enter acts at once, Space when it is released.
    event.preventDefault();
    if (!event.repeat) term.click();
  } else if (event.key === " ") {
    event.preventDefault(); // and do not scroll the page
  }
}

function onKeyUp(event) {
  const term = event.target.closest?.(TERM);
  if (term && event.key === " " && !event.altKey && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    term.click();
  }
}

function onPointerOver(event) {
  if (event.pointerType === "touch") return;
  const term = event.target.closest(TERM);
  if (term) {
    cancelTimers();
    openTimer = setTimeout(() => show(term, "hover"), OPEN_DELAY_MS);
    return;
  }
  const popover = event.target.closest(".term-popover");
  if (popover) cancelTimers();
}

function onPointerOut(event) {
  if (event.pointerType === "touch") return;
  const from = event.target.closest(`${TERM}, .term-popover`);
  if (!from || (event.relatedTarget && from.contains(event.relatedTarget))) return;
  clearTimeout(openTimer);
  const popover = from.classList.contains("term-popover") ? from : popoverFor(from);
  hideSoon(popover);
}

function onFocusIn(event) {
  const term = event.target.closest?.(TERM);
  if (!term || !term.matches(":focus-visible")) return;
  cancelTimers();
  openTimer = setTimeout(() => show(term, "focus"), OPEN_DELAY_MS);
}

function onFocusOut(event) {
  const from = event.target.closest?.(`${TERM}, .term-popover`);
  if (!from) return;
  clearTimeout(openTimer);
  const popover = from.classList.contains("term-popover") ? from : popoverFor(from);
  if (!popover) return;
  const to = event.relatedTarget;
  if (to && (popover.contains(to) || termFor(popover) === to)) return;
  if (to && popover.matches(":popover-open")) {
    // Focus has moved on through the text: close even a pinned popover, so it
    // does not sit over what the reader is now on.
    cancelTimers();
    popover.hidePopover();
    return;
  }
  hideSoon(popover);
}

// beforetoggle fires as the popover opens or closes; toggle only in a later
// task, so aria-expanded set there lagged behind the popover's real state.
function onBeforeToggle(event) {
  const popover = event.target;
  if (!popover.classList?.contains("term-popover")) return;
  if (event.newState === "closed" && popover.contains(document.activeElement)) hadFocus.add(popover);
  const term = termFor(popover);
  // The term it was opened from is expanded; any other occurrence is not.
  for (const each of termsOf(popover)) {
    each.setAttribute("aria-expanded", String(event.newState === "open" && each === term));
  }
}

function onToggle(event) {
  const popover = event.target;
  if (!popover.classList?.contains("term-popover")) return;
  const term = termFor(popover);
  if (event.newState === "open") {
    if (term) place(popover, term);
  } else {
    openedBy.delete(popover);
    sourceOf.delete(popover);
    // Escape or light dismiss from inside the popover: give focus back to the term.
    const focused = hadFocus.has(popover) || popover.contains(document.activeElement);
    hadFocus.delete(popover);
    if (term && focused && (popover.contains(document.activeElement) || document.activeElement === document.body)) {
      term.focus({ preventScroll: true });
    }
  }
}

function reposition() {
  for (const popover of document.querySelectorAll(".term-popover:popover-open")) {
    const term = termFor(popover);
    if (!term) continue;
    const anchor = term.getBoundingClientRect();
    if (anchor.bottom < 0 || anchor.top > window.innerHeight) {
      // The term has been scrolled away: a popover pinned to the screen edge
      // would cover the text being read with a definition of something gone.
      popover.hidePopover();
    } else {
      place(popover, term);
    }
  }
}

export function initGlossaryPopovers() {
  document.addEventListener("pointerdown", onPointerDown, true);
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("keyup", onKeyUp);
  document.addEventListener("pointerover", onPointerOver);
  document.addEventListener("pointerout", onPointerOut);
  document.addEventListener("focusin", onFocusIn);
  document.addEventListener("focusout", onFocusOut);
  // beforetoggle and toggle do not bubble; capture them at the document.
  document.addEventListener("beforetoggle", onBeforeToggle, true);
  document.addEventListener("toggle", onToggle, true);
  window.addEventListener("resize", reposition);
  window.addEventListener("scroll", reposition, { passive: true });
}
