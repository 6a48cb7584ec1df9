// "Go deeper" / "Simpler": each button follows a passage and fetches (htmx) that
// passage's counterpart blocks at another depth into the slot after it;
// pressing it again, or the expansion's own Close button at its end, collapses
// it without a request, and Close puts the focus back on the button.
// aria-expanded says which.

function toggleFor(slot) {
  return slot ? document.querySelector(`button.depth-toggle[aria-controls="${CSS.escape(slot.id)}"]`) : null;
}

function collapse(button) {
  const slot = document.getElementById(button.getAttribute("aria-controls"));
  if (slot) slot.replaceChildren();
  button.setAttribute("aria-expanded", "false");
}

function onToggleClick(event) {
  const close = event.target.closest(".depth-slot button.depth-close");
  if (close) {
    const button = toggleFor(close.closest(".depth-slot"));
    if (!button) return;
    collapse(button);
    button.focus();
    return;
  }
  const button = event.target.closest("button.depth-toggle");
  if (!button || button.getAttribute("aria-expanded") !== "true") return;
  // Collapse: stop htmx (listening on the button) from fetching again.
  event.preventDefault();
  event.stopPropagation();
  collapse(button);
}

function afterExpand(event) {
  const slot = event.detail.target;
  if (!slot?.classList?.contains("depth-slot")) return;
  toggleFor(slot)?.setAttribute("aria-expanded", "true");
}

export function initDepthPassages() {
  document.addEventListener("click", onToggleClick, true);
  document.body.addEventListener("htmx:afterSwap", afterExpand);
}
