// The glossary's filter box: typing hides the terms whose name does not contain
// what was typed (case and accents ignored), and the letter groups left empty.
// The box is rendered hidden, so without JavaScript the page is the plain list.
// An A-Z link to a letter the filter hid clears the filter first.

const fold = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();

function apply(input) {
  const query = fold(input.value);
  let shown = 0;
  for (const group of document.querySelectorAll(".glossary-letter")) {
    let inGroup = 0;
    for (const entry of group.querySelectorAll(".glossary-entry")) {
      const match = !query || fold(entry.dataset.termName || "").includes(query);
      entry.hidden = !match;
      if (match) inGroup += 1;
    }
    group.hidden = inGroup === 0;
    shown += inGroup;
  }
  for (const link of document.querySelectorAll(".glossary-az a[href^='#']")) {
    const group = document.getElementById(link.getAttribute("href").slice(1));
    link.classList.toggle("is-filtered-out", Boolean(group?.hidden));
  }
  const none = document.querySelector(".glossary-none");
  if (none) none.hidden = shown > 0;
  const status = document.getElementById("glossary-filter-status");
  if (status) status.textContent = query ? `${shown} ${shown === 1 ? "term" : "terms"} shown` : "";
}

function onLetterClick(event) {
  const link = event.target.closest(".glossary-az a[href^='#']");
  const input = document.getElementById("glossary-filter");
  if (!link || !input) return;
  const group = document.getElementById(link.getAttribute("href").slice(1));
  if (group?.hidden) {
    input.value = "";
    apply(input);
  }
}

export function initGlossaryFilter() {
  const input = document.getElementById("glossary-filter");
  if (!input) return;
  input.closest(".glossary-filter").hidden = false;
  input.addEventListener("input", () => apply(input));
  document.addEventListener("click", onLetterClick);
  if (input.value) apply(input);
}
