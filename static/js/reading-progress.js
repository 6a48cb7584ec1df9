// The reader's position in the tier: a thin bar along the depth switcher's
// bottom edge (role="progressbar", in percent) and the minutes left, the words
// still below the reading line at the server's reading speed (data-wpm, the
// figure behind the reading times on the home card). The position is how far
// the top of the window, under the sticky switcher, has moved through the
// tier's <article>; at the end of the page it is the end. It follows tier swaps
// (it looks the elements up each time) and updates at most once a frame.

let frame = 0;

function fractionRead(article, switcher) {
  const line = switcher.getBoundingClientRect().bottom;
  const box = article.getBoundingClientRect();
  const atEnd = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
  if (atEnd || box.height <= 0) return atEnd ? 1 : 0;
  return Math.min(1, Math.max(0, (line - box.top) / box.height));
}

/** Minutes to read ``words`` at ``wpm``, as the reading times count them (at least 1 while any are left). */
export function minutesFor(words, wpm) {
  return words <= 0 ? 0 : Math.max(1, Math.round(words / wpm));
}

function update() {
  frame = 0;
  const progress = document.querySelector(".reading-progress");
  const article = document.querySelector("article.reading");
  const switcher = progress?.closest(".tier-switcher");
  if (!progress || !article || !switcher) return;
  const words = Number(progress.dataset.words) || 0;
  const wpm = Number(progress.dataset.wpm) || 230;
  const fraction = fractionRead(article, switcher);
  const percent = Math.round(fraction * 100);
  const minutes = minutesFor(Math.round(words * (1 - fraction)), wpm);
  const left = minutes ? `${minutes} min left` : "End of this depth";
  const bar = progress.querySelector('[role="progressbar"]');
  bar.setAttribute("aria-valuenow", String(percent));
  bar.setAttribute("aria-valuetext", `${percent}%, ${left}`);
  // CSSOM, not a style attribute: the Content Security Policy allows it.
  bar.style.setProperty("--read", String(fraction));
  const text = progress.querySelector(".minutes-left");
  if (text.textContent !== left) text.textContent = left;
  progress.hidden = false;
}

function schedule() {
  if (!frame) frame = requestAnimationFrame(update);
}

export function initReadingProgress() {
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule, { passive: true });
  document.body.addEventListener("htmx:afterSettle", schedule);
  schedule();
}
