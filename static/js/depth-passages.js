// "Go deeper" / "Simpler": each button fetches (htmx) the section's counterpart
// at another depth into the slot after the section; pressing it again collapses
// it without a request. aria-expanded says which.

function onToggleClick(event) {
  const button = event.target.closest("button.depth-toggle");
  if (!button || button.getAttribute("aria-expanded") !== "true") return;
  // Collapse: stop htmx (listening on the button) from fetching again.
  event.preventDefault();
  event.stopPropagation();
  const slot = document.getElementById(button.getAttribute("aria-controls"));
  if (slot) slot.replaceChildren();
  button.setAttribute("aria-expanded", "false");
}

function afterExpand(event) {
  const slot = event.detail.target;
  if (!slot?.classList?.contains("depth-slot")) return;
  const button = document.querySelector(`button.depth-toggle[aria-controls="${CSS.escape(slot.id)}"]`);
  button?.setAttribute("aria-expanded", "true");
}

export function initDepthPassages() {
  document.addEventListener("click", onToggleClick, true);
  document.body.addEventListener("htmx:afterSwap", afterExpand);
}
