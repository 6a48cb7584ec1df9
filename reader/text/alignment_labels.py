"""Hand-written alignment labels, and how well an alignment agrees with them.

Pure Python, no Django. A label file (tests/fixtures/alignment/blocks/) names,
for every non-heading block of an article and each other tier, the one to
three blocks there that a careful reader accepts as telling the same idea, or
none. Blocks are named by tier and a unique prefix of their plain text, so a
label survives re-numbering.

Two figures per direction (source tier -> target tier), after
:meth:`Alignment.landing`, the rule a depth switch follows:

* **precision@1**: the share of labelled blocks whose landing is right: an
  accepted block, or, for a block labelled "none", a landing on the closest
  section, marked as not the passage's own counterpart.
* **coverage**: among blocks with accepted counterparts, the share whose own
  link (not a fallback) lands on one of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from reader.text.alignment import TIERS, Alignment, Passage


class LabelError(ValueError):
    """A label file that does not fit its article."""


@dataclass(frozen=True)
class BlockLabel:
    source: Hashable
    target_tier: str
    accepted: tuple[Hashable, ...]  # best first; empty: nothing at that depth tells this
    reason: str


@dataclass(frozen=True)
class DirectionScore:
    source_tier: str
    target_tier: str
    labelled: int
    correct: int  # landings on an accepted block, or a marked fallback for "none"
    with_counterpart: int  # labels with accepted blocks
    covered: int  # of those, own links onto an accepted block

    @property
    def precision(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0

    @property
    def coverage(self) -> float:
        return self.covered / self.with_counterpart if self.with_counterpart else 1.0


def _resolve(passages: Sequence[Passage], tier: str, prefix: str) -> Hashable:
    hits = [p.key for p in passages if p.tier == tier and p.kind != "heading" and p.text.startswith(prefix)]
    if len(hits) != 1:
        raise LabelError(f"{tier}: the prefix {prefix!r} names {len(hits)} blocks; a label must name exactly one.")
    return hits[0]


def labels_from_data(data: Mapping, passages: Sequence[Passage]) -> list[BlockLabel]:
    """The labels of a parsed label file, resolved against the article's passages.

    Raises :class:`LabelError` for a prefix that names no block or several, a
    target in the wrong tier, more than three accepted blocks, a missing
    reason, or a (block, tier) labelled twice.
    """
    labels: list[BlockLabel] = []
    seen: set[tuple[Hashable, str]] = set()
    for entry in data.get("labels", []):
        tier, target_tier = entry.get("tier"), entry.get("target_tier")
        if tier not in TIERS or target_tier not in TIERS or tier == target_tier:
            raise LabelError(f"a label needs two different tiers: {entry!r}")
        source = _resolve(passages, tier, entry.get("prefix", ""))
        accepted = tuple(_resolve(passages, target_tier, prefix) for prefix in entry.get("accepted", []))
        if len(accepted) > 3:
            raise LabelError(f"at most three accepted blocks: {entry!r}")
        if not str(entry.get("reason", "")).strip():
            raise LabelError(f"every label gives its reason: {entry!r}")
        if (source, target_tier) in seen:
            raise LabelError(f"labelled twice: {tier} {entry['prefix']!r} -> {target_tier}")
        seen.add((source, target_tier))
        labels.append(BlockLabel(source, target_tier, accepted, entry["reason"]))
    return labels


def unlabelled(passages: Sequence[Passage], labels: Iterable[BlockLabel]) -> list[tuple[Hashable, str]]:
    """(block, target tier) pairs of non-heading blocks that no label covers."""
    done = {(label.source, label.target_tier) for label in labels}
    return [
        (p.key, tier)
        for p in passages
        if p.kind != "heading" and p.tier in TIERS
        for tier in TIERS
        if tier != p.tier and (p.key, tier) not in done
    ]


def evaluate(alignment: Alignment, passages: Sequence[Passage], labels: Iterable[BlockLabel]) -> list[DirectionScore]:
    """precision@1 and coverage for each of the six directions, in tier order."""
    tier_of = {p.key: p.tier for p in passages}
    tally = {(a, b): [0, 0, 0, 0] for a in TIERS for b in TIERS if a != b}
    for label in labels:
        counts = tally[(tier_of[label.source], label.target_tier)]
        landing = alignment.landing(label.source, label.target_tier)
        counts[0] += 1
        if label.accepted:
            counts[2] += 1
            if landing is not None and landing.target in label.accepted:
                counts[1] += 1
                counts[3] += landing.own
        elif landing is None or not landing.own:
            counts[1] += 1
    return [DirectionScore(a, b, *counts) for (a, b), counts in tally.items()]


def quality_table(scores: Iterable[DirectionScore]) -> list[str]:
    """Printable lines: each direction's precision@1 and coverage with their counts."""
    lines = []
    for s in scores:
        lines.append(
            f"{s.source_tier[:3].upper()} -> {s.target_tier[:3].upper()}  "
            f"precision@1 {s.precision:.2f} ({s.correct}/{s.labelled})  "
            f"coverage {s.coverage:.2f} ({s.covered}/{s.with_counterpart})"
        )
    return lines
