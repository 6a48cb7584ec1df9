// "Listen": the tier read aloud through the browser's speechSynthesis, from the
// reader's place (the passage at the top, tier-switcher.js's currentPlace) to the
// end, one utterance per sentence. The sentence being read is highlighted (the CSS
// Custom Highlight API, ::highlight(listen-sentence); without it, a class on its
// passage) and kept in view. Only the tier's own text is read: the text inside
// its data-start containers, so glossary popovers, asides from other depths,
// depth controls, note markers, landing notes and page chrome never are.
//
// The controls are in the page hidden; they are shown only where the browser
// has speechSynthesis. Nothing changes the text's DOM, so offsets stay exact.

import { currentPlace } from "./tier-switcher.js";

const PASSAGES = "article.reading :is(h3, p, li, table)[id]";
const NOT_READ = ".depth-passage, .depth-markers, .landing-note, .visually-hidden, [aria-hidden='true']";
const HIGHLIGHT = "listen-sentence";
const CURRENT_CLASS = "is-listening";

let session = null; // { sentences, index, utterance, paused }

const controls = () => document.getElementById("listen");
const supported = () => "speechSynthesis" in window && !!window.speechSynthesis && typeof window.SpeechSynthesisUtterance === "function";
const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** The readable text of a passage, and where each of its text nodes lies in it. */
function passageText(passage) {
  const pieces = [];
  let text = "";
  const holders = passage.matches("[data-start]") ? [passage] : [...passage.querySelectorAll("[data-start]")];
  for (const holder of holders) {
    if (holder.closest(NOT_READ)) continue;
    // Between table cells a comma, between rows (and blocks) a full stop unless the text has one.
    const cell = holder.closest("td, th");
    if (text && cell && cell.previousElementSibling) text += ", ";
    else if (text) text += /[.!?:;]\s*$/.test(text) ? " " : ". ";
    const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement.closest(NOT_READ) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      pieces.push({ node, from: text.length, to: text.length + node.data.length });
      text += node.data;
    }
  }
  return { text, pieces };
}

/** [from, to) of each sentence of ``text``. */
function sentenceBounds(text) {
  const bounds = [];
  if (typeof Intl !== "undefined" && Intl.Segmenter) {
    const segmenter = new Intl.Segmenter(document.documentElement.lang || "en", { granularity: "sentence" });
    for (const { index, segment } of segmenter.segment(text)) bounds.push([index, index + segment.length]);
  } else {
    const pattern = /[^.!?]+(?:[.!?]+["”’)]*|$)\s*/g;
    for (let match = pattern.exec(text); match && match[0]; match = pattern.exec(text)) {
      bounds.push([match.index, match.index + match[0].length]);
    }
  }
  return bounds
    .map(([from, to]) => {
      const piece = text.slice(from, to);
      const lead = piece.length - piece.trimStart().length;
      return [from + lead, from + piece.trimEnd().length];
    })
    .filter(([from, to]) => to > from);
}

function rangeFor(pieces, from, to) {
  const start = pieces.find((piece) => piece.to > from) || pieces[0];
  const end = [...pieces].reverse().find((piece) => piece.from < to) || pieces.at(-1);
  const range = document.createRange();
  range.setStart(start.node, Math.max(0, from - start.from));
  range.setEnd(end.node, Math.min(end.node.data.length, to - end.from));
  return range;
}

/** Every sentence from ``first`` (a passage) to the end of the tier: { text, passage, range }. */
function sentencesFrom(first) {
  const passages = [...document.querySelectorAll(PASSAGES)].filter((passage) => !passage.closest(NOT_READ));
  const at = Math.max(0, first ? passages.indexOf(first) : 0);
  const sentences = [];
  for (const passage of passages.slice(at)) {
    // A list item or table inside a passage already read is read with it.
    if (passage.parentElement.closest(PASSAGES)) continue;
    const { text, pieces } = passageText(passage);
    if (!pieces.length) continue;
    for (const [from, to] of sentenceBounds(text)) {
      sentences.push({ text: text.slice(from, to), passage, from, to, pieces });
    }
  }
  return sentences;
}

function clearHighlight() {
  if (window.CSS?.highlights) {
    CSS.highlights.delete(HIGHLIGHT);
    CSS.highlights.delete(`${HIGHLIGHT}-word`);
  }
  for (const passage of document.querySelectorAll(`.${CURRENT_CLASS}`)) passage.classList.remove(CURRENT_CLASS);
}

function keepInView(range, passage) {
  const rect = range.getBoundingClientRect();
  const switcher = document.querySelector(".tier-switcher")?.getBoundingClientRect().bottom || 0;
  const bar = controls()?.getBoundingClientRect();
  const bottom = bar && controls().classList.contains("is-active") ? Math.min(window.innerHeight, bar.top) : window.innerHeight;
  const visible = rect.height ? rect : passage.getBoundingClientRect();
  if (visible.top >= switcher + 8 && visible.bottom <= bottom - 8) return;
  const middle = (switcher + bottom) / 2;
  window.scrollBy({ top: visible.top + visible.height / 2 - middle, behavior: reducedMotion() ? "auto" : "smooth" });
}

function show(sentence) {
  clearHighlight();
  sentence.passage.classList.add(CURRENT_CLASS);
  const range = rangeFor(sentence.pieces, sentence.from, sentence.to);
  if (window.CSS?.highlights && typeof window.Highlight === "function") {
    CSS.highlights.set(HIGHLIGHT, new Highlight(range));
  }
  keepInView(range, sentence.passage);
}

// A boundary event: the word being said, inside the sentence.
function showWord(sentence, event) {
  if (!window.CSS?.highlights || typeof window.Highlight !== "function" || event.name === "sentence") return;
  const from = sentence.from + event.charIndex;
  const length = event.charLength || (/^\S+/.exec(sentence.text.slice(event.charIndex)) || [""])[0].length;
  if (!length) return;
  CSS.highlights.set(`${HIGHLIGHT}-word`, new Highlight(rangeFor(sentence.pieces, from, Math.min(sentence.to, from + length))));
}

function rate() {
  return Number(controls()?.querySelector("select")?.value) || 1;
}

function speakCurrent() {
  const current = session;
  const sentence = current.sentences[current.index];
  if (!sentence) {
    stop("Finished reading.");
    return;
  }
  show(sentence);
  const utterance = new SpeechSynthesisUtterance(sentence.text);
  utterance.rate = rate();
  utterance.lang = document.documentElement.lang || "en";
  current.utterance = utterance;
  // Events of an utterance cancelled (by Stop or a change of speed) are ignored.
  const live = () => session === current && current.utterance === utterance;
  utterance.addEventListener("boundary", (event) => {
    if (live()) showWord(sentence, event);
  });
  utterance.addEventListener("end", () => {
    if (!live()) return;
    current.index += 1;
    speakCurrent();
  });
  utterance.addEventListener("error", (event) => {
    if (live() && event.error !== "interrupted" && event.error !== "canceled") stop("Reading aloud stopped: the browser could not speak.");
  });
  window.speechSynthesis.speak(utterance);
}

function announce(message) {
  const status = controls()?.querySelector(".listen-status");
  if (status) status.textContent = message;
}

function render() {
  const box = controls();
  if (!box) return;
  const active = !!session;
  box.classList.toggle("is-active", active);
  box.querySelector('[data-listen="play"]').hidden = active;
  const pause = box.querySelector('[data-listen="pause"]');
  pause.hidden = !active;
  pause.textContent = session?.paused ? "Resume" : "Pause";
  box.querySelector('[data-listen="stop"]').hidden = !active;
}

function start() {
  window.speechSynthesis.cancel();
  const sentences = sentencesFrom(currentPlace());
  if (!sentences.length) return;
  session = { sentences, index: 0, utterance: null, paused: false };
  render();
  announce("Reading aloud.");
  speakCurrent();
  controls().querySelector('[data-listen="pause"]').focus();
}

function stop(message = "Stopped reading.") {
  const wasActive = !!session;
  session = null;
  window.speechSynthesis?.cancel();
  clearHighlight();
  const box = controls();
  const hadFocus = box?.contains(document.activeElement);
  render();
  if (wasActive) announce(message);
  if (hadFocus) box.querySelector('[data-listen="play"]').focus();
}

function togglePause() {
  if (!session) return;
  session.paused = !session.paused;
  if (session.paused) window.speechSynthesis.pause();
  else window.speechSynthesis.resume();
  render();
  announce(session.paused ? "Paused." : "Reading aloud.");
}

// A new speed takes effect at once: the sentence being read starts again at it.
function changeRate() {
  if (!session) return;
  const wasPaused = session.paused;
  session.utterance = null;
  window.speechSynthesis.cancel();
  session.paused = false;
  speakCurrent();
  if (wasPaused) togglePause();
}

function onClick(event) {
  const button = event.target.closest("#listen [data-listen]");
  if (!button) return;
  const action = button.dataset.listen;
  if (action === "play") start();
  else if (action === "pause") togglePause();
  else if (action === "stop") stop();
}

function reveal() {
  const box = controls();
  if (box && supported()) box.hidden = false;
}

export function initListen() {
  reveal();
  if (!supported()) return;
  document.addEventListener("click", onClick);
  document.addEventListener("change", (event) => {
    if (event.target.closest("#listen select")) changeRate();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && session && controls()?.contains(document.activeElement)) stop();
  });
  // Another tier swapped in: what was being read is gone.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (session && event.detail.target?.id === "tier-content") stop();
  });
  document.body.addEventListener("htmx:afterSettle", reveal);
  window.addEventListener("pagehide", () => {
    if (session) stop();
  });
}
