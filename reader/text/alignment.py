"""Cross-tier alignment: each passage's counterpart in the other two tiers.

Pure Python (with numpy and scipy's sparse matrices), no Django. An article
tells one story three times, at three depths (Fundamentals, Intermediate,
Academic), not sentence by sentence: the tiers overlap, in different words
and often in a different order. :func:`align` links every *block* to the block
in each other tier that tells the same idea, when one does, and every
*section* (a heading and the blocks under it; blocks before the first heading
form the untitled opening, section 0) to its closest section there.

Method
------
Deterministic and offline; the figures it was chosen by are in the README
("Depth as one space") and in tests/text/test_alignment.py.

1. **Words.** Lower-cased ``[a-z0-9]`` runs of two or more characters,
   English stop words removed, Snowball-stemmed. Abbreviations the article
   defines as "long form (ABBR)" read as their long form everywhere ("VAT" is
   "visceral adipose tissue"): the deeper tiers abbreviate what the shallower
   ones spell out.
2. **Concepts from the article's own glossary.** A glossary term in a block is
   a feature of its own (``TERM_WEIGHT``), and the block also gets the stems
   of that term's definition at ``DEFINITION_WEIGHT`` each. The definitions
   are written in plain words, so a technical passage that names "GLUT4" or
   "insulin resistance" meets the lay passage that describes it.
3. **Weights.** TF-IDF over the article's blocks, sublinear term frequency,
   smoothed IDF; each block vector divided by ``max(|v|, pivot)`` with
   ``pivot`` the median length, so a one-line takeaway cannot match on one
   shared word.
4. **Context.** A pair's score adds, to the two blocks' similarity, their
   sections' cosine times ``SECTION_WEIGHT``: a short block borrows the topic
   of the passage around it. Each block then takes its best-scoring block in
   each other tier (ties: the earlier block).
5. **No counterpart.** Scores are calibrated per article and direction: a
   block keeps its link only if its score reaches ``LINK_FLOOR`` times the
   median of the direction's best scores. Otherwise it has none, and a reader
   switching depth there lands on the closest section instead
   (:meth:`Alignment.landing`).
6. **Sections.** A section's counterpart is the section its blocks' links
   land in, weighted by score; a section none of whose blocks links there
   takes the highest section cosine. A heading's block link is its section's.

Tried and dropped, as they gained nothing on the labelled sets (README): an
order-preserving Viterbi pass over each block's best candidates, neighbouring
pairs' similarity as context, and hub discounting (CSLS).

Cost: one sparse matrix product per pair of tiers, in C (scipy); the only
quadratic object is each pair's dense score matrix (1,400 x 1,400 blocks:
16 MB). A generated 1 MB article aligns in about 0.5 s. Ties go to the earlier passage; scores are rounded to 6
places, so equal input gives an equal result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import snowballstemmer
from scipy import sparse

TIERS = ("fundamentals", "intermediate", "academic")

TERM_WEIGHT = 2.0  # a glossary term counts as this many occurrences of a word
DEFINITION_WEIGHT = 0.5  # each stem of a used term's definition
HEADING_WEIGHT = 2.0  # a section's heading counts this many times in the section vector
SECTION_WEIGHT = 0.3  # the two sections' cosine
LINK_FLOOR = 0.35  # share of the direction's median best score a link needs
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
class Landing:
    """Where a reader switching depth from a passage lands."""

    target: Hashable  # a block key in the target tier
    own: bool  # the passage's own counterpart; False: the closest section, as nothing tells exactly this


@dataclass(frozen=True)
class Alignment:
    blocks: tuple[BlockLink, ...]  # for each passage, at most one link per other tier
    sections: tuple[SectionLink, ...]  # for each section, at most one link per other tier
    # (passage key, tier, section) for every passage in reading order, so
    # counterpart() and landing() know where a key lives. Not part of equality.
    places: tuple[tuple[Hashable, str, int], ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def _tier_of(self) -> dict[Hashable, str]:
        return {key: tier for key, tier, _ in self.places}

    @cached_property
    def _by_source(self) -> dict[tuple[Hashable, str], BlockLink]:
        tier_of = self._tier_of
        return {(link.source, tier_of[link.target]): link for link in self.blocks}

    @cached_property
    def _sections(self) -> dict[tuple[str, int, str], SectionLink]:
        return {(link.source_tier, link.source_section, link.target_tier): link for link in self.sections}

    @cached_property
    def _section_starts(self) -> dict[tuple[str, int], Hashable]:
        starts: dict[tuple[str, int], Hashable] = {}
        for key, tier, section in self.places:
            starts.setdefault((tier, section), key)
        return starts

    def counterpart(self, key: Hashable, tier: str) -> BlockLink | None:
        """The link from passage ``key`` into ``tier``, or None if it has none there."""
        return self._by_source.get((key, tier))

    def section_counterpart(self, tier: str, section: int, target_tier: str) -> SectionLink | None:
        """The link from section ``section`` of ``tier`` into ``target_tier``, or None."""
        return self._sections.get((tier, section, target_tier))

    def landing(self, key: Hashable, tier: str) -> Landing | None:
        """Where switching to ``tier`` from passage ``key`` lands: its own counterpart, else the
        start of its section's counterpart, else the start of the tier; None for an empty tier.

        tier-switcher.js applies the same rule to the links the page carries.
        """
        link = self.counterpart(key, tier)
        if link is not None:
            return Landing(link.target, own=True)
        source_section = next((s for k, t, s in self.places if k == key), None)
        if source_section is not None:
            source_tier = self._tier_of[key]
            section_link = self.section_counterpart(source_tier, source_section, tier)
            if section_link is not None:
                return Landing(self._section_starts[(tier, section_link.target_section)], own=False)
        first = next((k for k, t, _ in self.places if t == tier), None)
        return None if first is None else Landing(first, own=False)


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

def _term_pattern(key: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(word) for word in key.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", re.IGNORECASE)


# As the parser's glossary marking: hyphens count as word characters, and the
# words of a term are separated by whitespace only.
_TERM_WORD = re.compile(r"[\w-]+")


class _TermFinder:
    """Every glossary term occurring in a text, by looking up word n-grams (one pass per text)."""

    def __init__(self, keys: Iterable[str]):
        keys = set(keys)
        plain = {key for key in keys if all(_TERM_WORD.fullmatch(word) for word in key.split())}
        self.keys = {tuple(key.split()): key for key in plain}
        self.longest = max((len(words) for words in self.keys), default=0)
        # A key with other characters ("25(oh)d") is matched by its own pattern, as the parser does.
        self.patterns = [(key, _term_pattern(key)) for key in sorted(keys - plain)]

    def __call__(self, text: str) -> set[str]:
        lowered = text.lower()
        words = list(_TERM_WORD.finditer(lowered))
        found = set()
        for start in range(len(words)):
            for length in range(1, min(self.longest, len(words) - start) + 1):
                last = words[start + length - 1]
                if length > 1 and not lowered[words[start + length - 2].end() : last.start()].isspace():
                    break
                key = self.keys.get(tuple(w.group() for w in words[start : start + length]))
                if key is not None:
                    found.add(key)
        found.update(key for key, pattern in self.patterns if pattern.search(text))
        return found


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
    find_terms = _TermFinder({d.key for d in parsed.definitions})
    passages = []
    for part in parsed.tiers:
        section = 0
        for index, block in enumerate(part.blocks):
            if block.kind == "heading":
                section += 1
            text = block.text
            terms = {span.term for span in _block_spans(block) if span.term} | find_terms(text)
            passages.append(Passage((part.slug, index), part.slug, section, block.kind, text, frozenset(terms)))
    return passages


def glossary_from_article(parsed) -> dict[str, str]:
    """Glossary term key -> its definition, for concept expansion."""
    return {d.key: d.definition for d in parsed.definitions}


# --- features ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Params:
    """The model's knobs, for ablation; the module constants are the defaults."""

    term_weight: float = TERM_WEIGHT
    definition_weight: float = DEFINITION_WEIGHT
    heading_weight: float = HEADING_WEIGHT
    section_weight: float = SECTION_WEIGHT
    link_floor: float = LINK_FLOOR
    pivot_quantile: float | None = PIVOT_QUANTILE  # None: plain cosine
    abbreviations: bool = True


class _Featurizer:
    def __init__(self, passages: Sequence[Passage], glossary: Mapping[str, str], params: _Params):
        self.params = params
        known = {term for p in passages for term in p.terms} | set(glossary)
        self.expansions: dict[str, list[str]] = {}
        self.abbr_terms: dict[str, str] = {}
        if params.abbreviations:
            for abbr, long_form in sorted(abbreviations(p.text for p in passages).items()):
                self.expansions[abbr] = tokens(long_form)
                if long_form in known:
                    self.abbr_terms[abbr] = long_form
        self.definitions = {term: self._words(definition) for term, definition in glossary.items()}

    def _words(self, text: str) -> dict[str, float]:
        counts: dict[str, float] = {}
        for word in _WORD.findall(text.lower()):
            expansion = self.expansions.get(word)
            if expansion is not None:
                stems = expansion
            elif len(word) > 1 and word not in STOP_WORDS:
                stems = [_stem(word)]
            else:
                continue
            for stem in stems:
                counts[stem] = counts.get(stem, 0.0) + 1.0
        return counts

    def terms(self, passage: Passage) -> frozenset[str]:
        """The passage's glossary terms, plus those it names by abbreviation."""
        if not self.abbr_terms:
            return passage.terms
        words = set(_WORD.findall(passage.text.lower()))
        return passage.terms | {term for abbr, term in self.abbr_terms.items() if abbr in words}

    def counts(self, passage: Passage, terms: frozenset[str]) -> dict[str, float]:
        counts = self._words(passage.text)
        for term in sorted(terms):
            feature = "=" + term  # cannot collide with a word
            counts[feature] = counts.get(feature, 0.0) + self.params.term_weight
            for stem in self.definitions.get(term, ()):
                counts[stem] = counts.get(stem, 0.0) + self.params.definition_weight
        return counts


def _matrix(rows: Sequence[Mapping[str, float]], columns: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows (counts are positive; below 1 for definition stems alone)."""
    indptr, indices, data = [0], [], []
    for row in rows:
        for feature, count in row.items():
            indices.append(columns[feature])
            data.append(1.0 + math.log(count) if count >= 1.0 else count)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), len(columns)),
    )
    return matrix.multiply(idf).tocsr()


def _scaled(matrix: sparse.csr_matrix, pivot: float = 0.0) -> sparse.csr_matrix:
    """Rows divided by max(|row|, pivot): the cosine, or the pivoted length."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms = np.maximum(norms, pivot)
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


# --- alignment ---------------------------------------------------------------------------------


def _shared(a: Iterable[str], b: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(a) & set(b)))


def _quantile(values: Sequence[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _round(score: float) -> float:
    # Rounded so float noise can never make two runs differ.
    return round(min(max(float(score), 0.0), 1.0), 6)


def _idf(counts: Sequence[Mapping[str, float]]) -> tuple[dict[str, int], np.ndarray]:
    """Each feature's column, in order of first appearance, and its smoothed inverse document frequency."""
    columns: dict[str, int] = {}
    df: list[int] = []
    for row in counts:
        for feature in row:
            column = columns.setdefault(feature, len(columns))
            if column == len(df):
                df.append(0)
            df[column] += 1
    n = len(counts)
    idf = np.log((1 + n) / (1 + np.asarray(df, dtype=np.float64))) + 1.0 if df else np.zeros(0)
    return columns, idf


def _block_matrix(aligned: Sequence[Passage], blocks: sparse.csr_matrix, params: _Params) -> sparse.csr_matrix:
    pivot = 0.0
    if params.pivot_quantile is not None:
        norms = np.sqrt(np.asarray(blocks.multiply(blocks).sum(axis=1)).ravel())
        pivot = _quantile([nm for p, nm in zip(aligned, norms) if p.kind != "heading"], params.pivot_quantile)
    return _scaled(blocks, pivot)


@dataclass(frozen=True)
class _Sections:
    ids: list[tuple[str, int]]  # (tier, section number), tiers in order
    of: np.ndarray  # each aligned passage's row in ``matrix``
    matrix: sparse.csr_matrix
    terms: list[set[str]]


def _sections(aligned, counts, terms, columns: dict[str, int], idf: np.ndarray, params: _Params) -> _Sections:
    """Sections: summed counts, the heading's weighted."""
    section_ids = sorted({(p.tier, p.section) for p in aligned}, key=lambda s: (TIERS.index(s[0]), s[1]))
    section_row = {sid: i for i, sid in enumerate(section_ids)}
    section_counts: list[dict[str, float]] = [{} for _ in section_ids]
    section_terms: list[set[str]] = [set() for _ in section_ids]
    for passage, row, t in zip(aligned, counts, terms):
        i = section_row[(passage.tier, passage.section)]
        weight = params.heading_weight if passage.kind == "heading" else 1.0
        for feature, value in row.items():
            section_counts[i][feature] = section_counts[i].get(feature, 0.0) + weight * value
        section_terms[i] |= t
    of = np.asarray([section_row[(p.tier, p.section)] for p in aligned], dtype=np.int64)
    return _Sections(section_ids, of, _scaled(_matrix(section_counts, columns, idf)), section_terms)


def _block_links(aligned, terms, blocks, sections: _Sections, params: _Params):
    """Each block's best counterpart in each other tier, above the floor, and the section votes they cast:
    (source section, target tier) -> target section -> summed score."""
    by_tier = {tier: [i for i, p in enumerate(aligned) if p.tier == tier and p.kind != "heading"] for tier in TIERS}
    section_of = sections.of
    links: list[BlockLink] = []
    votes: dict[tuple[int, str], dict[int, float]] = {}
    for a_index, tier_a in enumerate(TIERS):
        for tier_b in TIERS[a_index + 1 :]:
            rows, cols = by_tier[tier_a], by_tier[tier_b]
            if not rows or not cols:
                continue
            similarity = (blocks[rows] @ blocks[cols].T).toarray()
            context = sections.matrix[section_of[rows]] @ sections.matrix[section_of[cols]].T
            scores = similarity + params.section_weight * context.toarray()
            for source, target, matrix in ((rows, cols, scores), (cols, rows, scores.T)):
                chosen = np.argmax(matrix, axis=1)  # the first maximum: ties go to the earlier block
                floor = params.link_floor * float(np.median(matrix.max(axis=1)))
                target_tier = aligned[target[0]].tier
                for row, column in enumerate(chosen.tolist()):
                    score = float(matrix[row, column])
                    if score <= 0.0 or score < floor:
                        continue
                    i, j = source[row], target[column]
                    links.append(BlockLink(aligned[i].key, aligned[j].key, _round(score), _shared(terms[i], terms[j])))
                    tally = votes.setdefault((int(section_of[i]), target_tier), {})
                    tally[int(section_of[j])] = tally.get(int(section_of[j]), 0.0) + score
    return links, votes


def _section_links(sections: _Sections, votes: dict[tuple[int, str], dict[int, float]]) -> list[SectionLink]:
    """Each section's counterpart: the one its blocks voted for most, else the most similar one."""
    section_ids = sections.ids
    section_cosines = (sections.matrix @ sections.matrix.T).toarray()
    section_links: list[SectionLink] = []
    for i, (tier, number) in enumerate(section_ids):
        for target_tier in TIERS:
            if target_tier == tier:
                continue
            tally = votes.get((i, target_tier))
            candidates = [j for j, sid in enumerate(section_ids) if sid[0] == target_tier]
            if tally:
                j = max(sorted(tally), key=lambda s: tally[s])
            elif candidates:
                j = max(candidates, key=lambda s: (section_cosines[i, s], -s))
                if section_cosines[i, j] <= 0.0:
                    continue
            else:
                continue
            section_links.append(
                SectionLink(
                    tier, number, target_tier, section_ids[j][1], _round(section_cosines[i, j]),
                    _shared(sections.terms[i], sections.terms[j]),
                )
            )
    return section_links


def _heading_links(aligned: Sequence[Passage], section_links: Sequence[SectionLink]) -> list[BlockLink]:
    """A heading's counterpart is its section's: the target section's first block."""
    first_block: dict[tuple[str, int], Passage] = {}
    for passage in aligned:
        first_block.setdefault((passage.tier, passage.section), passage)
    sections_by_key = {(l.source_tier, l.source_section, l.target_tier): l for l in section_links}
    links = []
    for passage in aligned:
        if passage.kind != "heading":
            continue
        for target_tier in TIERS:
            link = sections_by_key.get((passage.tier, passage.section, target_tier))
            if link is not None:
                target = first_block[(target_tier, link.target_section)]
                links.append(BlockLink(passage.key, target.key, link.score, link.shared_terms))
    return links


def _align(passages: Sequence[Passage], glossary: Mapping[str, str], params: _Params) -> Alignment:
    aligned = [p for p in passages if p.tier in TIERS]
    featurizer = _Featurizer(aligned, glossary, params)
    terms = [featurizer.terms(p) for p in aligned]
    counts = [featurizer.counts(p, t) for p, t in zip(aligned, terms)]
    columns, idf = _idf(counts)
    blocks = _block_matrix(aligned, _matrix(counts, columns, idf), params)
    sections = _sections(aligned, counts, terms, columns, idf, params)
    links, votes = _block_links(aligned, terms, blocks, sections, params)
    section_links = _section_links(sections, votes)
    links += _heading_links(aligned, section_links)
    order = {p.key: i for i, p in enumerate(aligned)}
    links.sort(key=lambda l: (order[l.source], order[l.target]))
    places = tuple((p.key, p.tier, p.section) for p in passages)
    return Alignment(tuple(links), tuple(section_links), places)


def align(passages: Sequence[Passage], *, glossary: Mapping[str, str] | None = None) -> Alignment:
    """Link each passage and section to its counterpart in each other tier (see the module docs)."""
    return _align(passages, glossary or {}, _Params())


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
