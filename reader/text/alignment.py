"""Cross-tier alignment: each passage's counterpart in the other two tiers.

Pure Python, no Django. An article tells one story three times, at three
depths (Fundamentals, Intermediate, Academic). :func:`align` links every
*block* and every *section* (a heading and the blocks under it; blocks before
the first heading form the untitled opening section, index 0) to the passage
in each other tier that tells the same thing, or to nothing.

Method
------
Deterministic and offline, a vector-space model over one article:

* Words: lower-cased ``[a-z0-9]`` runs of two or more characters, English stop
  words removed, Snowball-stemmed (``snowballstemmer``, English).
* Abbreviations defined in the article as "long form (ABBR)" (a simplified
  Schwartz-Hearst rule: the letters are the initials of the preceding words)
  are read as their long form everywhere: "FFAs" counts as "free fatty
  acids", "VAT" as "visceral adipose tissue", "GH" as "growth hormone". The
  deeper tiers abbreviate what the shallower ones spell out.
* Glossary terms occurring in a passage (and terms named by abbreviation) are
  extra features counted ``TERM_WEIGHT`` times each.
* Weights: TF-IDF, sublinear term frequency (``1 + ln tf``), smoothed IDF over
  the article's blocks.
* Block similarity: the dot product over *pivoted* lengths,
  ``a.b / (max(|a|, pivot) * max(|b|, pivot))`` with ``pivot`` the median block
  vector length. For passages at least the median length this is the cosine;
  a shorter passage (a one-line takeaway, a list label) is scored as if it
  were of median length, so one shared word cannot make it a strong match.
  The result lies in 0..1 and never exceeds the cosine.
* Section prior: sections are compared by the cosine of their summed counts
  (heading counted ``HEADING_WEIGHT`` times). A block's score is scaled by how
  well its section agrees with the candidate's::

      score = sim(block, cand) * ((1 - SECTION_WEIGHT) + SECTION_WEIGHT * rel)

  ``rel`` (0..1) is the section cosine relative to the source section's best
  match in that tier; for an opening, relative to the other tier's opening.
  So a block's counterpart is likelier inside the counterpart section, and
  the score is still 0 when nothing is shared.
* Headings link only to headings, other blocks only to other blocks. A
  passage links to its best-scoring candidate in each other tier if the score
  reaches ``THRESHOLD``; otherwise it has no counterpart there. Links are
  directional: A->B and B->A are computed separately and may differ.
* Section links come from the block links: a section's counterpart in a tier
  is the section that receives the largest sum of its blocks' link scores.
  A section none of whose blocks has a counterpart there has none. One rule
  overrides this: the untitled openings introduce the same article, so an
  opening links to the other tier's opening whenever the two share any
  feature. A section link's score is the cosine of the two sections.
* Ties go to the earlier passage; scores are rounded to 6 places, so equal
  input gives an equal result.

Measurement
-----------
The labelled sets are in tests/fixtures/alignment/. They hold 42 block
sources from the two articles (the seed and vitamin D) and cover all six tier
directions: 24 have a labelled counterpart and 18 are labelled "no
counterpart". Sources include tables, list items, takeaways, paragraphs and
two headings. The labels were written by reading the texts, before any tuning.
Precision is the share of links emitted for labelled sources that are
correct. Recall is the share of labelled counterparts that were found.
Block threshold sweep over both articles:

    threshold  precision       recall         links emitted
      0.00     17/40 = 0.43    17/24 = 0.71    40
      0.10     16/31 = 0.52    16/24 = 0.67    31
      0.15     15/22 = 0.68    15/24 = 0.63    22
      0.17     15/19 = 0.79    15/24 = 0.63    19
      0.18     14/17 = 0.82    14/24 = 0.58    17
      0.20     14/17 = 0.82    14/24 = 0.58    17   <- THRESHOLD
      0.21     14/16 = 0.88    14/24 = 0.58    16
      0.22     13/15 = 0.87    13/24 = 0.54    15
      0.25     12/14 = 0.86    12/24 = 0.50    14
      0.30      7/8  = 0.88     7/24 = 0.29     8
      0.35      2/2  = 1.00     2/24 = 0.08     2

THRESHOLD = 0.20 lies inside the 0.18-0.21 plateau. Below it, precision
falls fast: the extra links go mostly to passages labelled "no counterpart".
Above it, recall falls and precision gains nothing.

Results at 0.20:

* Seed: precision 9/11 = 0.82, recall 9/12 = 0.75.
* Vitamin D: precision 5/6 = 0.83, recall 5/12 = 0.42.
* Overall: precision 14/17 = 0.82, recall 14/24 = 0.58.

Both wrong links start from a table. The seed's peptide table links to the
academic study table, and the vitamin-forms table links to a paragraph
through one shared term, serum 25(OH)D. The misses are paraphrases with
almost no shared words, which a bag-of-words model cannot see ("Darkness is
the signal; melatonin is the messenger" against "Your sleep depends on
light, timing, and the hormones that translate both into rest").

Section links were measured on 31 labels, written after the first runs:
precision 18/22 = 0.82, recall 18/20 = 0.90. Choosing each section's
counterpart by the highest section cosine instead gave precision 0.62.

Ablations at 0.20 (precision / recall):

* Plain cosine, no abbreviations, no pivot: 0.52 / 0.50.
* Abbreviations only: 0.59 / 0.54.
* Pivot only: 0.81 / 0.54.
* Both: 0.82 / 0.58.

SECTION_WEIGHT and HEADING_WEIGHT changed no result between 1 and 2
(SECTION_WEIGHT between 0 and 1). TERM_WEIGHT 1 gave 0.86 / 0.50 and 3 gave
0.78 / 0.58, differences of one to three links; it stays at the a-priori 2.
A positional prior on sections was tried and dropped: it made section links
worse.

Speed: the seed's 66 tier blocks align in about 25 ms once their words are
stemmed. The first call in a process also stems the article's roughly 840
distinct words with pure-Python Snowball, about 0.15 ms each, so it takes
about 150 ms. Stems are cached for the life of the process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import snowballstemmer

TIERS = ("fundamentals", "intermediate", "academic")

THRESHOLD: float = 0.20  # measured; see the module docstring
TERM_WEIGHT = 2.0  # a glossary term counts as this many occurrences of a word
HEADING_WEIGHT = 2.0  # a section's heading counts this many times in the section vector
SECTION_WEIGHT = 0.5  # share of a block's score that depends on its section's agreement
PIVOT_QUANTILE = 0.5  # shorter blocks are scored as if of this quantile's length

_WORD = re.compile(r"[a-z0-9]+")

# A compact English stop-word list: function words, plus a few quantifiers and
# discourse fillers that carry no topic in these articles.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either even
    few for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just may me might more most much must my myself no nor not now of
    off on once only or other our ours ourselves out over own per same shall she should so some
    such than that the their theirs them themselves then there these they this those through
    thus to too under until up upon very via was we were what when where whether which while
    who whom why will with within without would yet you your yours yourself yourselves
    however therefore often one two three many several another every
    """.split()
)


@dataclass(frozen=True)
class Passage:
    key: Hashable  # the caller's id for the block
    tier: str  # "fundamentals" | "intermediate" | "academic"
    section: int  # index of its section in its tier (0 = opening)
    kind: str  # block kind
    text: str  # plain text
    terms: frozenset[str] = frozenset()  # glossary term keys occurring in the block


@dataclass(frozen=True)
class BlockLink:
    source: Hashable
    target: Hashable
    score: float
    shared_terms: tuple[str, ...]


@dataclass(frozen=True)
class SectionLink:
    source_tier: str
    source_section: int
    target_tier: str
    target_section: int
    score: float
    shared_terms: tuple[str, ...]


@dataclass(frozen=True)
class Alignment:
    blocks: tuple[BlockLink, ...]  # for each passage, at most one link per other tier
    sections: tuple[SectionLink, ...]  # for each section, at most one link per other tier
    # (passage key, tier) for every passage, so counterpart() knows which tier
    # a link points into. Not part of equality.
    tiers: tuple[tuple[Hashable, str], ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def _by_source(self) -> dict[tuple[Hashable, str], BlockLink]:
        tier_of = dict(self.tiers)
        return {(link.source, tier_of[link.target]): link for link in self.blocks}

    def counterpart(self, key: Hashable, tier: str) -> BlockLink | None:
        """The link from passage ``key`` into ``tier``, or None if it has none there."""
        return self._by_source.get((key, tier))

    def section_counterpart(self, tier: str, section: int, target_tier: str) -> SectionLink | None:
        """The link from section ``section`` of ``tier`` into ``target_tier``, or None."""
        for link in self.sections:
            if (link.source_tier, link.source_section, link.target_tier) == (tier, section, target_tier):
                return link
        return None


# --- words, terms, abbreviations ------------------------------------------------------------

_stemmer = snowballstemmer.stemmer("english")
_stem_cache: dict[str, str] = {}


def _stem(word: str) -> str:
    stem = _stem_cache.get(word)
    if stem is None:
        stem = _stem_cache[word] = _stemmer.stemWord(word)
    return stem


def tokens(text: str) -> list[str]:
    """Stemmed content words of ``text``, in order."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS]


def _term_pattern(key: str) -> re.Pattern[str]:
    # As the parser's glossary marking: hyphens count as word characters.
    words = r"\s+".join(re.escape(word) for word in key.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", re.IGNORECASE)


_ABBREVIATION = re.compile(r"\(([A-Za-z][A-Za-z0-9/-]{1,11})\)")
_RAW_WORD = re.compile(r"[A-Za-z0-9]+")


def abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Abbreviations defined as "long form (ABBR)": lower-cased abbreviation -> long form.

    The abbreviation needs two capitals; its letters, a trailing plural "s"
    dropped, must be the initials of the words just before it: "free fatty
    acids (FFAs)", "Growth Hormone-Releasing Hormone (GHRH)". The first
    definition of an abbreviation wins.
    """
    found: dict[str, str] = {}
    for text in texts:
        for match in _ABBREVIATION.finditer(text):
            abbr = match.group(1)
            if sum(ch.isupper() for ch in abbr) < 2:
                continue
            letters = "".join(ch for ch in abbr if ch.isalpha())
            if letters.endswith("s") and letters[:-1].isupper():
                letters = letters[:-1]
            letters = letters.lower()
            words = _RAW_WORD.findall(text[: match.start()])[-len(letters) :]
            if len(words) == len(letters) and "".join(w[0].lower() for w in words) == letters:
                long_form = " ".join(w.lower() for w in words)
                for form in (abbr.lower(), letters, letters + "s"):
                    found.setdefault(form, long_form)
    return found


# --- passages from a parsed article ----------------------------------------------------------


def _block_spans(block) -> Iterable:
    yield from block.spans
    for cell in block.header:
        yield from cell
    for row in block.rows:
        for cell in row:
            yield from cell


def passages_from_article(parsed) -> list[Passage]:
    """The blocks of a ParsedArticle's three tiers as passages.

    ``key`` is ``(tier slug, block index within the tier)``; ``section`` counts
    the headings at or before the block (0 = the opening, before any heading).
    ``terms`` holds every glossary term occurring in the block. The parser
    marks only a term's first occurrence per part, so the other occurrences
    are found by matching the glossary keys against the block's text, as the
    parser does.
    """
    patterns = [(key, _term_pattern(key)) for key in sorted({d.key for d in parsed.definitions})]
    passages = []
    for part in parsed.tiers:
        section = 0
        for index, block in enumerate(part.blocks):
            if block.kind == "heading":
                section += 1
            text = block.text
            terms = {span.term for span in _block_spans(block) if span.term}
            terms.update(key for key, pattern in patterns if pattern.search(text))
            passages.append(Passage((part.slug, index), part.slug, section, block.kind, text, frozenset(terms)))
    return passages


# --- scoring ---------------------------------------------------------------------------------

Vector = dict[str, float]


@dataclass(frozen=True)
class _Params:
    """The model's knobs, for ablation; the module constants are the defaults."""

    term_weight: float = TERM_WEIGHT
    heading_weight: float = HEADING_WEIGHT
    section_weight: float = SECTION_WEIGHT
    pivot_quantile: float | None = PIVOT_QUANTILE  # None: plain cosine
    abbreviations: bool = True


class _Featurizer:
    def __init__(self, passages: Sequence[Passage], params: _Params):
        self.term_weight = params.term_weight
        glossary = {term for p in passages for term in p.terms}
        self.expansions: dict[str, list[str]] = {}
        self.abbr_terms: dict[str, str] = {}
        if params.abbreviations:
            for abbr, long_form in sorted(abbreviations(p.text for p in passages).items()):
                self.expansions[abbr] = tokens(long_form)
                if long_form in glossary:
                    self.abbr_terms[abbr] = long_form

    def terms(self, passage: Passage) -> frozenset[str]:
        """The passage's glossary terms, plus those it names by abbreviation."""
        if not self.abbr_terms:
            return passage.terms
        words = set(_WORD.findall(passage.text.lower()))
        return passage.terms | {term for abbr, term in self.abbr_terms.items() if abbr in words}

    def counts(self, passage: Passage, terms: frozenset[str]) -> dict[str, float]:
        counts: dict[str, float] = {}
        for word in _WORD.findall(passage.text.lower()):
            expansion = self.expansions.get(word)
            if expansion is not None:
                stems = expansion
            elif len(word) > 1 and word not in STOP_WORDS:
                stems = [_stem(word)]
            else:
                continue
            for stem in stems:
                counts[stem] = counts.get(stem, 0.0) + 1.0
        for term in sorted(terms):
            feature = "=" + term  # cannot collide with a word
            counts[feature] = counts.get(feature, 0.0) + self.term_weight
        return counts


def _tfidf(counts: dict[str, float], idf: dict[str, float]) -> Vector:
    """Sublinear TF-IDF weights (counts are always >= 1)."""
    return {f: (1.0 + math.log(c)) * idf[f] for f, c in counts.items()}


def _norm(vector: Vector) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


def _dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[f] for f, w in a.items() if f in b)


def _dots(vectors: Sequence[Vector], tiers: Sequence[str]) -> dict[tuple[int, int], float]:
    """Nonzero dot products of every cross-tier pair, both orders, computed once per pair."""
    index: dict[str, list[int]] = {}  # feature -> passages having it
    for i, vector in enumerate(vectors):
        for feature in vector:
            index.setdefault(feature, []).append(i)
    dots: dict[tuple[int, int], float] = {}
    for i, vector in enumerate(vectors):
        for feature, weight in vector.items():
            for j in index[feature]:
                if j > i and tiers[j] != tiers[i]:
                    dots[(i, j)] = dots.get((i, j), 0.0) + weight * vectors[j][feature]
    dots.update({(j, i): value for (i, j), value in list(dots.items())})
    return dots


def _shared(a: Iterable[str], b: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(a) & set(b)))


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _round(score: float) -> float:
    # Rounded so float noise can never make two runs differ.
    return round(min(max(score, 0.0), 1.0), 6)


def _align(passages: Sequence[Passage], threshold: float, params: _Params) -> Alignment:
    aligned = [p for p in passages if p.tier in TIERS]
    featurizer = _Featurizer(aligned, params)
    terms = [featurizer.terms(p) for p in aligned]
    counts = [featurizer.counts(p, t) for p, t in zip(aligned, terms)]
    n = len(aligned)
    df: dict[str, int] = {}
    for c in counts:
        for feature in c:
            df[feature] = df.get(feature, 0) + 1
    idf = {f: math.log((1 + n) / (1 + d)) + 1.0 for f, d in df.items()}
    vectors = [_tfidf(c, idf) for c in counts]
    norms = [_norm(v) for v in vectors]
    dots = _dots(vectors, [p.tier for p in aligned])
    pivot = 0.0
    if params.pivot_quantile is not None:
        pivot = _quantile([nm for p, nm in zip(aligned, norms) if p.kind != "heading"], params.pivot_quantile)

    # Sections: summed counts, the heading's weighted.
    section_counts: dict[tuple[str, int], dict[str, float]] = {}
    section_terms: dict[tuple[str, int], set[str]] = {}
    for passage, c, t in zip(aligned, counts, terms):
        sid = (passage.tier, passage.section)
        acc = section_counts.setdefault(sid, {})
        weight = params.heading_weight if passage.kind == "heading" else 1.0
        for feature, value in c.items():
            acc[feature] = acc.get(feature, 0.0) + weight * value
        section_terms.setdefault(sid, set()).update(t)
    section_ids = sorted(section_counts, key=lambda sid: (TIERS.index(sid[0]), sid[1]))
    section_vectors = {sid: _tfidf(section_counts[sid], idf) for sid in section_ids}
    section_norms = {sid: _norm(v) for sid, v in section_vectors.items()}

    def section_cosine(s: tuple[str, int], t: tuple[str, int]) -> float:
        denominator = section_norms[s] * section_norms[t]
        return _dot(section_vectors[s], section_vectors[t]) / denominator if denominator else 0.0

    section_sim = {(s, t): section_cosine(s, t) for s in section_ids for t in section_ids if s[0] != t[0]}
    # The section each section resembles most per other tier (openings: the
    # other opening, by the format), the reference for the block prior.
    top: dict[tuple[tuple[str, int], str], float] = {}
    for sid in section_ids:
        for tier in TIERS:
            candidates = [section_sim[(sid, t)] for t in section_ids if t[0] == tier and tier != sid[0]]
            if not candidates:
                continue
            top[(sid, tier)] = max(candidates)
            if sid[1] == 0 and section_sim.get((sid, (tier, 0)), 0.0) > 0.0:
                top[(sid, tier)] = section_sim[(sid, (tier, 0))]

    # Blocks.
    by_tier: dict[str, list[int]] = {tier: [] for tier in TIERS}
    for i, passage in enumerate(aligned):
        by_tier[passage.tier].append(i)
    blocks: list[BlockLink] = []
    votes: dict[tuple[tuple[str, int], str], dict[int, float]] = {}
    for i, source in enumerate(aligned):
        sid = (source.tier, source.section)
        heading = source.kind == "heading"
        for tier in TIERS:
            if tier == source.tier:
                continue
            reference = top.get((sid, tier), 0.0)
            best: tuple[int, float] | None = None
            for j in by_tier[tier]:
                target = aligned[j]
                if (target.kind == "heading") != heading:
                    continue  # headings link to headings, other blocks to other blocks
                dot = dots.get((i, j), 0.0)
                if dot <= 0.0:
                    continue
                if heading:
                    sim = dot / (norms[i] * norms[j])
                else:
                    sim = dot / (max(norms[i], pivot) * max(norms[j], pivot))
                tid = (target.tier, target.section)
                rel = min(1.0, section_sim[(sid, tid)] / reference) if reference > 0 else 0.0
                score = sim * ((1.0 - params.section_weight) + params.section_weight * rel)
                if best is None or score > best[1]:
                    best = (j, score)
            if best is None:
                continue
            j, score = best
            score = _round(score)
            if score > 0.0 and score >= threshold:
                target = aligned[j]
                blocks.append(BlockLink(source.key, target.key, score, _shared(terms[i], terms[j])))
                tally = votes.setdefault((sid, tier), {})
                tally[target.section] = tally.get(target.section, 0.0) + score

    # Sections: where their blocks' counterparts are; openings to openings.
    sections: list[SectionLink] = []
    for sid in section_ids:
        for tier in TIERS:
            if tier == sid[0]:
                continue
            target_section: int | None = None
            if sid[1] == 0 and section_sim.get((sid, (tier, 0)), 0.0) > 0.0:
                target_section = 0
            elif tally := votes.get((sid, tier)):
                target_section = max(sorted(tally), key=lambda s: (tally[s], section_sim[(sid, (tier, s))]))
            if target_section is not None:
                tid = (tier, target_section)
                score = _round(section_sim[(sid, tid)])
                shared = _shared(section_terms[sid], section_terms[tid])
                sections.append(SectionLink(sid[0], sid[1], tier, target_section, score, shared))

    return Alignment(tuple(blocks), tuple(sections), tuple((p.key, p.tier) for p in passages))


def align(passages: Sequence[Passage], *, threshold: float = THRESHOLD) -> Alignment:
    """Link each passage and section to its counterpart in each other tier (see the module docs)."""
    return _align(passages, threshold, _Params())


# --- reporting -------------------------------------------------------------------------------


def section_titles(passages: Iterable[Passage]) -> dict[tuple[str, int], str]:
    """(tier, section) -> the section's heading text, or "(opening)" for section 0."""
    titles: dict[tuple[str, int], str] = {}
    for passage in passages:
        sid = (passage.tier, passage.section)
        if passage.kind == "heading" and sid not in titles:
            titles[sid] = passage.text
        elif sid not in titles:
            titles[sid] = "(opening)" if passage.section == 0 else f"(section {passage.section})"
    return titles


def alignment_table(passages: Sequence[Passage], alignment: Alignment) -> list[str]:
    """Printable lines: each section -> its counterpart section in each other tier, with scores."""
    titles = section_titles(passages)
    section_of = {passage.key: (passage.tier, passage.section) for passage in passages}
    size: dict[tuple[str, int], int] = {}
    for sid in section_of.values():
        size[sid] = size.get(sid, 0) + 1
    landed: dict[tuple[tuple[str, int], tuple[str, int]], int] = {}
    for link in alignment.blocks:
        pair = (section_of[link.source], section_of[link.target])
        landed[pair] = landed.get(pair, 0) + 1
    links = {(l.source_tier, l.source_section, l.target_tier): l for l in alignment.sections}

    def name(sid: tuple[str, int]) -> str:
        title = titles.get(sid, "?")
        return f"{sid[0][:3].upper()} §{sid[1]} {title if len(title) <= 50 else title[:49] + '…'}"

    lines = []
    for sid in sorted(titles, key=lambda s: (TIERS.index(s[0]) if s[0] in TIERS else 99, s[1])):
        lines.append(f"{name(sid)}  ({size[sid]} blocks)")
        for tier in TIERS:
            if tier == sid[0]:
                continue
            link = links.get((sid[0], sid[1], tier))
            if link is None:
                lines.append(f"    -> {tier[:3].upper()}  none")
                continue
            tid = (tier, link.target_section)
            terms = f"; terms: {', '.join(link.shared_terms)}" if link.shared_terms else ""
            lines.append(f"    -> {name(tid)}  score {link.score:.3f}, block links {landed.get((sid, tid), 0)}{terms}")
    return lines
