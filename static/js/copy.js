// Copying text to the clipboard, with a fallback for browsers (or insecure
// origins) without navigator.clipboard, and a "Copied" announcement.
//
// A button with data-copy-from="SELECTOR" copies the text of the element it selects,
// and says so in the element named by data-copy-status (a role="status" region).
// Such buttons are rendered hidden: without JavaScript they could do nothing.

const ANNOUNCE_MS = 4000;
const timers = new WeakMap();

function fallbackCopy(text) {
  // execCommand("copy") copies the document's selection: select the text in an
  // off-screen textarea, then put the reader's own selection back.
  const selection = document.getSelection();
  const ranges = selection ? [...Array(selection.rangeCount).keys()].map((i) => selection.getRangeAt(i)) : [];
  const active = document.activeElement;
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "copy-buffer";
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  if (selection) {
    selection.removeAllRanges();
    ranges.forEach((range) => selection.addRange(range));
  }
  active?.focus?.({ preventScroll: true });
  return ok;
}

/** Copy ``text``; resolves to true when it reached the clipboard. */
export async function copyText(text) {
  if (navigator.clipboard?.writeText && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or the document not focused: try the old way.
    }
  }
  return fallbackCopy(text);
}

/** Put ``message`` in a live region, and clear it a few seconds later. */
/** Stops a pending "clear" of the region, so that what is written there next stays. */
export function keepRegion(region) {
  if (region) clearTimeout(timers.get(region));
}

export function announce(region, message) {
  if (!region) return;
  clearTimeout(timers.get(region));
  region.textContent = message;
  timers.set(region, setTimeout(() => { region.textContent = ""; }, ANNOUNCE_MS));
}

async function onClick(event) {
  const button = event.target.closest("button[data-copy-from]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copyFrom);
  const region = document.getElementById(button.dataset.copyStatus);
  if (!source) return;
  if (await copyText(source.textContent.trim())) {
    announce(region, "Copied");
  } else {
    // Leave the text selected so that the reader can copy it with the keyboard.
    document.getSelection()?.selectAllChildren(source);
    announce(region, "Could not copy: the token is selected, press Ctrl+C (⌘C on a Mac)");
  }
}

export function initCopy() {
  for (const button of document.querySelectorAll("button[data-copy-from][hidden]")) button.hidden = false;
  document.addEventListener("click", onClick);
}
