// Glossary popovers: the HTML popover API does the showing, light dismiss and
// Escape; this module adds the hover/focus delay, placement beside the term,
// and makes a click on an already hover-opened term keep it open rather than
// toggle it shut. Opening with the term as the popover's source keeps the
// invoker relationship that a native popovertarget click would have made:
// assistive technology hears the term as expanded, and Tab moves from the term
// into the popover's link and then on to the text after the term.

const OPEN_DELAY_MS = 400;
const CLOSE_DELAY_MS = 250;
const GAP_PX = 8;
const EDGE_PX = 8;

let openTimer = null;
let closeTimer = null;
// How the currently open popover was opened: "click" pins it, "hover"/"focus" do not.
const openedBy = new WeakMap();
// The term an open popover was opened from: a term can occur more than once
// on a page (in the tier and in the closing reflection), all sharing one popover.
const sourceOf = new WeakMap();

const popoverFor = (term) => document.getElementById(term.getAttribute("popovertarget"));
const termFor = (popover) =>
  (sourceOf.get(popover)?.isConnected && sourceOf.get(popover)) ||
  document.querySelector(`.term[popovertarget="${popover.id}"]`);

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

function onClick(event) {
  const term = event.target.closest(".term[popovertarget]");
  if (!term) return;
  // Take over the native toggle so that hover-open then click pins it open.
  event.preventDefault();
  const popover = popoverFor(term);
  if (!popover) return;
  if (popover.matches(":popover-open") && openedBy.get(popover) === "click" && termFor(popover) === term) {
    popover.hidePopover();
  } else {
    show(term, "click");
  }
}

function onPointerOver(event) {
  if (event.pointerType === "touch") return;
  const term = event.target.closest(".term[popovertarget]");
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
  const from = event.target.closest(".term[popovertarget], .term-popover");
  if (!from || (event.relatedTarget && from.contains(event.relatedTarget))) return;
  clearTimeout(openTimer);
  const popover = from.classList.contains("term-popover") ? from : popoverFor(from);
  hideSoon(popover);
}

function onFocusIn(event) {
  const term = event.target.closest?.(".term[popovertarget]");
  if (!term || !term.matches(":focus-visible")) return;
  cancelTimers();
  openTimer = setTimeout(() => show(term, "focus"), OPEN_DELAY_MS);
}

function onFocusOut(event) {
  const from = event.target.closest?.(".term[popovertarget], .term-popover");
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
    if (term && (popover.contains(document.activeElement) || document.activeElement === document.body)) {
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
  document.addEventListener("click", onClick);
  document.addEventListener("pointerover", onPointerOver);
  document.addEventListener("pointerout", onPointerOut);
  document.addEventListener("focusin", onFocusIn);
  document.addEventListener("focusout", onFocusOut);
  // toggle does not bubble; capture it at the document.
  document.addEventListener("toggle", onToggle, true);
  window.addEventListener("resize", reposition);
  window.addEventListener("scroll", reposition, { passive: true });
}
