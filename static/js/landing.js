// The landing after a depth switch: the passage landed on stays marked, with a
// small note at its top, until the reader scrolls it out of view.
//
// The note says where the reader came from ("From Fundamentals: “This state of
// high circulating insulin…”", a link back to that very passage) and where they
// are ("in: <section>"), or that nothing at this depth tells exactly that
// passage ("Nothing at Academic tells exactly this; closest: <section>"). It
// stands outside the tier's text: it has no data-start, so annotation counts
// none of it (annotate.js also refuses selections in it), and it is never in
// the server's canonical text (reader/text/canonical.py).

import { describe, undescribe } from "./aria.js";

const NOTE_ID = "landing-note";
const QUOTE_CHARS = 60;
let observer = null;

export function landedPassage() {
  return document.querySelector("article.reading .landed");
}

// The first ~60 characters of a passage, cut at a word, for the note.
export function quoteOf(passage) {
  const caption = passage.matches("table") ? passage.querySelector("caption") : null;
  const text = (caption || passage).textContent.replace(/\s+/g, " ").trim().replace(/^Table: /, "");
  if (text.length <= QUOTE_CHARS) return text;
  const cut = text.slice(0, QUOTE_CHARS + 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > QUOTE_CHARS / 2 ? cut.slice(0, space) : cut.slice(0, QUOTE_CHARS)).replace(/[\s,;:.]+$/, "")}…`;
}

// The title of the section a passage is in: the last heading before it ("" in the untitled opening).
export function sectionOf(passage) {
  let title = "";
  for (const heading of document.querySelectorAll("article.reading h3[id]")) {
    if (heading === passage) return "";
    if (heading.compareDocumentPosition(passage) & Node.DOCUMENT_POSITION_FOLLOWING) title = heading.textContent.trim();
    else break;
  }
  return title;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

// Where the note goes: before the passage, as a list item of its list, or before a table's scroll box.
function noteHolder(passage, note) {
  if (passage.matches("li")) {
    const item = element("li", "landing-note-item");
    item.append(note);
    passage.before(item);
    return item;
  }
  const box = passage.matches("table") ? passage.closest(".table-scroll") || passage : passage;
  box.before(note);
  return note;
}

// The note's parts: { fromTier, fromTitle, fromAnchor, fromUrl, quote } (where the reader came from),
// exact (the passage's own counterpart, or the closest section), here (the tier's title), title (the
// section's, "" for the opening).
function buildNote(info) {
  const note = element("div", "landing-note");
  note.id = NOTE_ID;
  note.setAttribute("role", "note");
  const from = element("span", "landing-note-from", `From ${info.fromTitle}: `);
  const back = element("a", "landing-back", `“${info.quote}”`);
  back.href = `${info.fromUrl}#${info.fromAnchor}`;
  back.dataset.tier = info.fromTier;
  back.dataset.anchor = info.fromAnchor;
  back.append(element("span", "visually-hidden", ` (back to ${info.fromTitle})`));
  from.append(back);
  note.append(from);
  const section = info.title || `the opening of ${info.here}`;
  if (!info.exact) {
    note.append(element("span", "landing-note-where", `Nothing at ${info.here} tells exactly this; closest: ${section}`));
  } else if (info.title) {
    note.append(element("span", "landing-note-where", `in: ${info.title}`));
  }
  return note;
}

function switcherBottom() {
  const switcher = document.querySelector(".tier-switcher");
  return switcher ? Math.max(0, switcher.getBoundingClientRect().bottom) : 0;
}

// Marks the passage and puts the note at its top; returns the element to scroll to (the note).
export function showLanding(passage, info) {
  clearLanding();
  passage.classList.add("landed");
  if (!info) return passage;
  const note = buildNote(info);
  const holder = noteHolder(passage, note);
  describe(passage, NOTE_ID);
  return holder;
}

// Watch the landed passage: once it is out of view (scrolled away, or hidden under the sticky
// switcher), the mark and the note go.
export function watchLanding() {
  observer?.disconnect();
  const passage = landedPassage();
  if (!passage || !("IntersectionObserver" in window)) return;
  observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => !entry.isIntersecting)) clearLanding();
    },
    { rootMargin: `-${Math.round(switcherBottom())}px 0px 0px 0px` },
  );
  observer.observe(passage);
}

export function clearLanding() {
  observer?.disconnect();
  observer = null;
  for (const passage of document.querySelectorAll("article.reading .landed")) {
    passage.classList.remove("landed");
    undescribe(passage, NOTE_ID);
  }
  const note = document.getElementById(NOTE_ID);
  if (!note) return;
  const holder = note.closest(".landing-note-item") || note;
  // Removing it must not move what the reader sees: if it is above the viewport, scroll by as
  // much as the text below it moves (0 where the browser's scroll anchoring already did).
  const next = holder.nextElementSibling;
  const above = holder.getBoundingClientRect().bottom <= 0 && next;
  const before = above ? next.getBoundingClientRect().top : 0;
  holder.remove();
  if (above) window.scrollBy({ top: next.getBoundingClientRect().top - before, behavior: "instant" });
}
