// Switching depth keeps the reader's place: the rules are README.md's "Switching depth keeps your
// place"; the counterparts come as JSON in #tier-counterparts (reader/tier_view.py's _landings).

import { clearLanding, landedPassage, quoteOf, sectionOf, showLanding, watchLanding } from "./landing.js";

const PASSAGES = "article.reading :is(h3, p, li, table)[id]";
let pending = null; // where the next tier swap lands: { anchor, exact, title, from }, anchor "" for the top
let forced = null; // the anchor a landing note's back link returns to
let current = null; // this history entry's landing: { tier, at, from: { tier, anchor } }
let popped = null; // the landing of the entry Back/Forward is restoring

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

function landingData() {
  const data = document.getElementById("tier-counterparts");
  try {
    return data ? JSON.parse(data.textContent) : {};
  } catch {
    return {};
  }
}

// Where switching from the passage `anchor` to `tier` lands: { anchor, exact, title }.
export function landingFor(anchor, tier) {
  const { sections = [], openings = {} } = landingData();
  const section = sections.find((candidate) => anchor in candidate.blocks);
  const own = section?.blocks[anchor]?.[tier];
  if (own) return { anchor: own, exact: true, title: "" };
  const [target, title] = section?.links[tier] || [];
  // A heading's own counterpart is its section's.
  const isHeading = document.getElementById(anchor)?.matches("h3");
  if (target) return { anchor: target, exact: !!isHeading, title };
  if (openings[tier]) return { anchor: openings[tier], exact: false, title: "" };
  return { anchor: "", exact: false, title: "" };
}

export function counterpartOf(anchor, tier) {
  return landingFor(anchor, tier).anchor;
}

function tierOf(link) {
  return new URL(link.href, location.href).pathname.split("/").filter(Boolean).pop();
}

function switcherLink(tier) {
  return [...document.querySelectorAll(".tier-switcher a[data-hx-get]")].find((link) => tierOf(link) === tier);
}

function inView(element) {
  if (!element) return false;
  const box = element.getBoundingClientRect();
  return box.bottom > switcherBottom() && box.top < window.innerHeight;
}

function focusPassage(passage) {
  if (!passage.hasAttribute("tabindex")) passage.setAttribute("tabindex", "-1");
  passage.focus({ preventScroll: true });
}

export function land(anchor, { note = null, mark = true } = {}) {
  const target = anchor && document.getElementById(anchor);
  if (!target || !target.closest("#tier-content")) return false;
  const top = mark ? showLanding(target, note) : target;
  top.scrollIntoView({ block: "start", behavior: "instant" });
  focusPassage(target);
  if (mark) watchLanding();
  return true;
}

function remember(landing) {
  current = landing;
  history.replaceState({ ...(history.state || {}), landing }, "");
}

function onSwitcherClick(event) {
  const back = event.target.closest("a.landing-back");
  if (back) {
    // A depth switch back to the passage the reader left.
    const link = switcherLink(back.dataset.tier);
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    forced = back.dataset.anchor;
    link.click();
    return;
  }
  const link = event.target.closest(".tier-switcher a[data-hx-get]");
  if (!link || link.getAttribute("aria-current") === "page") return;
  const region = document.getElementById("tier-content");
  const here = region?.dataset.tier;
  const tier = tierOf(link);
  const landed = current && current.tier === here ? document.getElementById(current.at) : null;
  const returning = forced || (landed && current.from.tier === tier && inView(landed) ? current.from.anchor : "");
  forced = null;
  const place = (returning && landed && inView(landed) ? landed : null) || currentPlace();
  const to = returning ? { anchor: returning, exact: true, title: "" } : place ? landingFor(place.id, tier) : { anchor: "" };
  pending = { ...to, tier, tierTitle: link.textContent.trim() };
  if (place && to.anchor) {
    pending.from = {
      tier: here,
      title: document.getElementById("tier-heading")?.textContent.trim() || here,
      anchor: place.id,
      url: location.pathname,
      quote: quoteOf(place),
    };
  }
  const url = new URL(link.href, location.href);
  url.hash = to.anchor;
  link.setAttribute("data-hx-push-url", to.anchor ? `${url.pathname}${url.hash}` : "true");
}

// A region brings its tier's head in a <template>; the first one is made from the head, for Back.
const HEAD = 'meta[name=description],link[rel=canonical],meta[name^=citation_],meta[property^="og:"],meta[name^="twitter:"],script[type="application/ld+json"]';

function adoptTierHead(region) {
  const kept = region?.querySelector("#tier-head");
  if (!kept) return;
  document.head.querySelectorAll(HEAD).forEach((element) => element.remove());
  document.head.append(kept.content.cloneNode(true));
}

function keepTierHead(region) {
  if (!region || region.querySelector("#tier-head")) return;
  const kept = document.createElement("template");
  kept.id = "tier-head";
  kept.content.append(...[...document.head.querySelectorAll(HEAD)].map((element) => element.cloneNode(true)));
  region.append(kept);
}

function afterTierSwap(event) {
  // With an outerHTML swap the event's target is the detached old region.
  if (event.detail.target?.id !== "tier-content") return;
  const region = document.getElementById("tier-content");
  if (region) adoptTierHead(region);
  if (!pending) return;
  const landing = pending;
  pending = null;
  if (!region) return;
  if (region.dataset.title) document.title = region.dataset.title;
  const { from } = landing;
  const note = from && {
    fromTier: from.tier,
    fromTitle: from.title,
    fromAnchor: from.anchor,
    fromUrl: from.url,
    quote: from.quote,
    exact: landing.exact,
    here: landing.tierTitle,
    title: landing.exact ? sectionOf(document.getElementById(landing.anchor) || region) : landing.title,
  };
  if (landing.anchor && land(landing.anchor, { note })) {
    remember(from ? { tier: landing.tier, at: landing.anchor, from: { tier: from.tier, anchor: from.anchor } } : null);
    return;
  }
  remember(null);
  if (region.getBoundingClientRect().top < 0) {
    window.scrollTo({ top: window.scrollY + region.getBoundingClientRect().top, behavior: "instant" });
  }
  document.getElementById("tier-heading")?.focus({ preventScroll: true });
}

// htmx resets an entry's history.state when it saves the page it leaves: keep the landing on it.
function beforeHistoryUpdate() {
  if (current) history.replaceState({ ...(history.state || {}), landing: current }, "");
}

function onPopState(event) {
  popped = event.state?.landing || null;
}

function onHistoryRestore(event) {
  adoptTierHead(document.getElementById("tier-content"));
  // htmx has reset this entry's state: put back the landing it had.
  current = popped;
  popped = null;
  history.replaceState({ ...(history.state || {}), landing: current }, "");
  if (event.detail?.cacheMiss) {
    // Fetched again, with no scroll position kept: land on the URL's passage.
    if (location.hash) land(decodeURIComponent(location.hash.slice(1)), { mark: false });
    return;
  }
  // From htmx's history cache, which puts the scroll position back on the next
  // tick: focus the passage the reader is back at (not the one the fragment
  // names, where they landed before reading on), else the tier's heading. A
  // landing still marked there is watched again.
  setTimeout(() => {
    if (landedPassage()) {
      if (inView(landedPassage())) watchLanding();
      else clearLanding();
    }
    const place = currentPlace();
    if (place) focusPassage(place);
    else document.getElementById("tier-heading")?.focus({ preventScroll: true });
  }, 0);
}

export function initTierSwitcher() {
  // Capture: set the pushed URL before htmx handles the click.
  document.addEventListener("click", onSwitcherClick, true);
  document.body.addEventListener("htmx:afterSettle", afterTierSwap);
  document.body.addEventListener("htmx:beforeHistoryUpdate", beforeHistoryUpdate);
  document.body.addEventListener("htmx:historyRestore", onHistoryRestore);
  // Before htmx's own handler, which resets the entry's state.
  window.addEventListener("popstate", onPopState);
  keepTierHead(document.getElementById("tier-content"));
  current = history.state?.landing || null;
  // Opened at a place (a link, a bookmark, a reload): the browser has scrolled
  // there and :target marks it; focus it so a screen reader announces it.
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target?.matches(PASSAGES)) focusPassage(target);
  }
}
