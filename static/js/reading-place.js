// Remember the passage being read, so /articles/<slug>/ resumes there: in a
// cookie for everyone, and for a signed-in reader also on the server, so the
// place follows them to another browser.
//
// The place is the passage at the top of the window (tier-switcher.js), kept
// once scrolling settles; scrolled up above the text (to the page's header),
// it stays the passage last read. It goes into the cookie at once and, for a
// signed-in reader, to the server: the first time at once, then at most once
// every SEND_INTERVAL_MS (a newer place waits for the interval). Leaving sends
// it at once: a click on a link to another page, the page hidden or unloaded.
// A form that leaves (Sign out) is held until the place has reached the
// server, since the request after it may no longer have a session.

import { currentPlace } from "./tier-switcher.js";

const COOKIE = "last_place";
const MAX_ARTICLES = 20;
const SETTLE_MS = 800;
const SEND_INTERVAL_MS = 10_000;
// The longest a leaving form waits for the place to be saved.
const FLUSH_TIMEOUT_MS = 1_500;

let settleTimer = null;
let sendTimer = null;
let lastSentKey = "";
let lastSentAt = -Infinity;
let inFlight = null; // the promise of the request being sent, if any
let latest = null; // { key, article, tier, anchor, url, token }
const resubmitting = new WeakSet();

function region() {
  return document.getElementById("tier-content");
}

function readPlaces() {
  const raw = document.cookie.split("; ").find((item) => item.startsWith(`${COOKIE}=`));
  return raw ? raw.slice(COOKIE.length + 1).split("|").filter(Boolean) : [];
}

// The passage last read on this page: the place now, else (scrolled up to the
// page's header, above the text) the last one seen. Kept in the cookie.
function remember() {
  const tier = region();
  const place = currentPlace();
  if (tier && place) {
    const { article, tier: tierSlug, placeUrl, csrfToken } = tier.dataset;
    latest = { key: `${article}:${tierSlug}:${place.id}`, article, tier: tierSlug, anchor: place.id, url: placeUrl, token: csrfToken };
    const entries = readPlaces().filter((entry) => !entry.startsWith(`${article}:`));
    entries.push(latest.key);
    const secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = `${COOKIE}=${entries.slice(-MAX_ARTICLES).join("|")}; path=/; max-age=31536000; samesite=lax${secure}`;
  }
  return latest;
}

// The place to send now, or null (signed out, no place yet, or sent already).
function pending() {
  return latest && latest.url && latest.token && latest.key !== lastSentKey ? latest : null;
}

function send() {
  clearTimeout(sendTimer);
  sendTimer = null;
  const place = pending();
  if (!place) return inFlight;
  lastSentKey = place.key;
  lastSentAt = Date.now();
  // URL-encoded, as a form posts: the place endpoint refuses multipart (FormData) bodies.
  // keepalive: the request outlives the page when it is sent as the reader leaves.
  const body = new URLSearchParams({ tier: place.tier, anchor: place.anchor, csrfmiddlewaretoken: place.token });
  const request = fetch(place.url, { method: "POST", body, keepalive: true, credentials: "same-origin" })
    .then((response) => {
      if (!response.ok && response.status >= 500 && lastSentKey === place.key) lastSentKey = "";
    })
    .catch(() => {
      // Offline, or the page went away first: try again next time.
      if (lastSentKey === place.key) lastSentKey = "";
    })
    .finally(() => {
      if (inFlight === request) inFlight = null;
    });
  inFlight = request;
  return request;
}

function scheduleSend() {
  if (sendTimer || !pending()) return;
  const wait = Math.max(0, lastSentAt + SEND_INTERVAL_MS - Date.now());
  sendTimer = setTimeout(send, wait);
}

function settled() {
  remember();
  scheduleSend();
}

function onScroll() {
  clearTimeout(settleTimer);
  settleTimer = setTimeout(settled, SETTLE_MS);
}

// Leaving (or maybe leaving): the latest place, now.
function leave() {
  clearTimeout(settleTimer);
  remember();
  return send();
}

function onClick(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  const link = event.target.closest?.("a[href]");
  if (!link || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin === location.origin && url.pathname === location.pathname && url.search === location.search) return;
  leave();
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);
}

// A form that navigates (htmx has not taken it): a POST may end the session, so
// the place must reach the server before the form is sent.
function onSubmit(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || resubmitting.delete(form)) return;
  if (event.defaultPrevented || form.method === "dialog") return;
  const request = leave();
  if (!request) return;
  event.preventDefault();
  const submitter = event.submitter;
  withTimeout(request, FLUSH_TIMEOUT_MS).then(() => {
    resubmitting.add(form);
    form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
  });
}

export function initReadingPlace() {
  if (!region()) return;
  window.addEventListener("scroll", onScroll, { passive: true });
  document.addEventListener("click", onClick);
  document.addEventListener("submit", onSubmit);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pagehide", leave);
}
