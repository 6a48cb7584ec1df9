// Switching depth keeps the reader's place.
//
// The reader's place is the passage at the top of the viewport, just under the
// sticky depth switcher. A click on another depth opens that depth (htmx swaps
// the tier region) with the place's counterpart at the top, marked for a
// moment, focused, and named in the address bar (#anchor), so reload,
// Back/Forward and shared links land on it too. A place with no counterpart
// there lands on the counterpart of the nearest passage before it that has
// one, else at the top of the tier. The counterparts come from the server
// (reader/text/alignment.py), as JSON in #tier-counterparts.

const PASSAGES = "article.reading :is(h3, p, li, table)[id]";
let landing = null; // the anchor to land on after the next tier swap, or "" for the top
let switching = false;

function switcherBottom() {
  const switcher = document.querySelector(".tier-switcher");
  return switcher ? switcher.getBoundingClientRect().bottom : 0;
}

export function currentPlace() {
  const line = switcherBottom() + 1;
  const article = document.querySelector("article.reading");
  if (!article || article.getBoundingClientRect().top >= line) return null;
  for (const passage of document.querySelectorAll(PASSAGES)) {
    if (passage.getBoundingClientRect().bottom > line) return passage;
  }
  return null;
}

function counterparts() {
  const data = document.getElementById("tier-counterparts");
  try {
    return data ? JSON.parse(data.textContent) : {};
  } catch {
    return {};
  }
}

export function counterpartOf(anchor, tier) {
  const links = counterparts();
  const order = Object.keys(links);
  for (let index = order.indexOf(anchor); index >= 0; index -= 1) {
    const target = links[order[index]]?.[tier];
    if (target) return target;
  }
  return "";
}

export function land(anchor, { flash = true } = {}) {
  const target = anchor && document.getElementById(anchor);
  if (!target || !target.closest("#tier-content")) return false;
  target.scrollIntoView({ block: "start", behavior: "instant" });
  if (flash) {
    target.classList.remove("landed");
    void target.offsetWidth; // restart the animation
    target.classList.add("landed");
  }
  focusPassage(target);
  return true;
}

function onSwitcherClick(event) {
  const link = event.target.closest(".tier-switcher a[data-hx-get]");
  if (!link || link.getAttribute("aria-current") === "page") return;
  const tier = new URL(link.href, location.href).pathname.split("/").filter(Boolean).pop();
  const place = currentPlace();
  landing = place ? counterpartOf(place.id, tier) : "";
  switching = true;
  const url = new URL(link.href, location.href);
  url.hash = landing;
  link.setAttribute("data-hx-push-url", landing ? `${url.pathname}${url.hash}` : "true");
}

function afterTierSwap(event) {
  // With an outerHTML swap the event's target is the detached old region.
  if (event.detail.target?.id !== "tier-content" || !switching) return;
  switching = false;
  const region = document.getElementById("tier-content");
  if (!region) return;
  if (region.dataset.title) document.title = region.dataset.title;
  if (landing && land(landing)) return;
  if (region.getBoundingClientRect().top < 0) {
    window.scrollTo({ top: window.scrollY + region.getBoundingClientRect().top, behavior: "instant" });
  }
  document.getElementById("tier-heading")?.focus({ preventScroll: true });
}

function focusPassage(passage) {
  if (!passage.hasAttribute("tabindex")) passage.setAttribute("tabindex", "-1");
  passage.focus({ preventScroll: true });
}

function onHistoryRestore(event) {
  if (event.detail?.cacheMiss) {
    // Fetched again, with no scroll position kept: land on the URL's passage.
    if (location.hash) land(decodeURIComponent(location.hash.slice(1)), { flash: false });
    return;
  }
  // From htmx's history cache, which puts the scroll position back on the next
  // tick: focus the passage the reader is back at (not the one the fragment
  // names, where they landed before reading on), else the tier's heading.
  setTimeout(() => {
    const place = currentPlace();
    if (place) focusPassage(place);
    else document.getElementById("tier-heading")?.focus({ preventScroll: true });
  }, 0);
}

export function initTierSwitcher() {
  // Capture: set the pushed URL before htmx handles the click.
  document.addEventListener("click", onSwitcherClick, true);
  document.body.addEventListener("htmx:afterSettle", afterTierSwap);
  document.body.addEventListener("htmx:historyRestore", onHistoryRestore);
  // Opened at a place (a link, a bookmark, a reload): the browser has scrolled
  // there and :target marks it; focus it so a screen reader announces it.
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target?.matches(PASSAGES)) focusPassage(target);
  }
}
