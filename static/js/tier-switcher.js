// After htmx swaps in another tier: move focus to its heading, keep the
// reader at the top of the article rather than wherever the old tier was,
// and update the document title.

function afterTierSwap(event) {
  // With an outerHTML swap the event's target is the detached old region.
  if (event.detail.target?.id !== "tier-content") return;
  const region = document.getElementById("tier-content");
  if (!region) return;
  if (region.dataset.title) document.title = region.dataset.title;
  if (region.getBoundingClientRect().top < 0) {
    window.scrollTo({ top: window.scrollY + region.getBoundingClientRect().top, behavior: "instant" });
  }
  document.getElementById("tier-heading")?.focus({ preventScroll: true });
}

export function initTierSwitcher() {
  document.body.addEventListener("htmx:afterSettle", afterTierSwap);
}
