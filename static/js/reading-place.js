// Remember the passage being read, so /articles/<slug>/ resumes there: in a
// cookie for everyone, and for a signed-in reader also on the server (sent
// when the page is hidden), so the place follows them to another browser.

import { currentPlace } from "./tier-switcher.js";

const COOKIE = "last_place";
const MAX_ARTICLES = 20;
const SAVE_DELAY_MS = 800;
let timer = null;
let lastSent = "";

function region() {
  return document.getElementById("tier-content");
}

function readPlaces() {
  const raw = document.cookie.split("; ").find((item) => item.startsWith(`${COOKIE}=`));
  return raw ? raw.slice(COOKIE.length + 1).split("|").filter(Boolean) : [];
}

function remember() {
  const tier = region();
  const place = currentPlace();
  if (!tier || !place) return;
  const { article, tier: tierSlug } = tier.dataset;
  const entries = readPlaces().filter((entry) => !entry.startsWith(`${article}:`));
  entries.push(`${article}:${tierSlug}:${place.id}`);
  const secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = `${COOKIE}=${entries.slice(-MAX_ARTICLES).join("|")}; path=/; max-age=31536000; samesite=lax${secure}`;
}

function sendToServer() {
  const tier = region();
  const place = currentPlace();
  const token = tier?.dataset.csrfToken;
  if (!tier || !place || !token || !tier.dataset.placeUrl) return;
  const key = `${tier.dataset.tier}:${place.id}`;
  if (key === lastSent) return;
  lastSent = key;
  // URL-encoded, as a form posts: the place endpoint refuses multipart (FormData) bodies.
  const body = new URLSearchParams({ tier: tier.dataset.tier, anchor: place.id, csrfmiddlewaretoken: token });
  navigator.sendBeacon(tier.dataset.placeUrl, body);
}

export function initReadingPlace() {
  if (!region()) return;
  window.addEventListener(
    "scroll",
    () => {
      clearTimeout(timer);
      timer = setTimeout(remember, SAVE_DELAY_MS);
    },
    { passive: true },
  );
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") sendToServer();
  });
  window.addEventListener("pagehide", sendToServer);
}
