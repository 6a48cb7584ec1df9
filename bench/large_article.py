"""Write a synthetic article of about 1 MB in the source format, for timing an import.

    .venv/bin/python bench/large_article.py OUT.txt [--size BYTES] [--seed N]

Deterministic for a given seed. Chapters are told once per tier, as real tiered
articles are: each chapter has its own topic words, which the three tiers share
(with glossary tooltips, abbreviations, list items and tables), wrapped in each
tier's own filler vocabulary. The point is the import's cost at scale, so what
matters is the shape: about 1,000 blocks per tier in sections of 6-10 blocks,
a vocabulary of some thousands of words, and common words in every block.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SYLLABLES = "ka lo mi ne ra su te vo xi zen dor pha lin mur quo sel tav bri cor gen hal ix jun".split()
FILLER = {
    "fundamentals": "your body cells energy feel daily life simple food sleep tired signal balance healthy"
    " change habit move rest help level blood sugar heart mind calm".split(),
    "intermediate": "clinical patients therapy dose response levels marker outcome weeks protocol effect"
    " improvement monitoring adjustment treatment receptor pathway hormone".split(),
    "academic": "mechanism expression phosphorylation receptor signalling cascade metabolic flux"
    " transcription kinase substrate mitochondrial oxidative regulation homeostasis plasma".split(),
}
COMMON = "the of and to in is that this with as by for it are be can which on".split()


def word(rng: random.Random, syllables: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables))


def sentence(rng: random.Random, topic: list[str], filler: list[str], length: int) -> str:
    words = []
    for _ in range(length):
        roll = rng.random()
        pool = topic if roll < 0.25 else filler if roll < 0.6 else COMMON
        words.append(rng.choice(pool))
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(rng, topic, filler, sentences=(2, 4)) -> str:
    return " ".join(sentence(rng, topic, filler, rng.randint(10, 18)) for _ in range(rng.randint(*sentences)))


def build(size: int, seed: int) -> str:
    rng = random.Random(seed)
    tiers: dict[str, list[str]] = {tier: [tier.capitalize()] for tier in FILLER}
    chapters: list[list[str]] = []
    total = 0
    while total < size:
        number = len(chapters)
        topic = [word(rng) for _ in range(12)]
        chapters.append(topic)
        for tier, filler in FILLER.items():
            lines = ["", f"{topic[0].capitalize()} and {topic[1]} in part {number + 1}"]
            for index in range(rng.randint(6, 10)):
                text = paragraph(rng, topic, filler)
                if index == 1 and tier == "fundamentals":
                    term = topic[2]
                    text += f" The {term} Meaning ∞ {term.capitalize()} is a {rng.choice(filler)} {rng.choice(topic)} of the {rng.choice(topic)}. matters here."
                lines.append(text)
            if number % 5 == 0:
                lines += [f"- {topic[3].capitalize()} Effect {paragraph(rng, topic, filler, (1, 2))}" for _ in range(3)]
            if number % 7 == 0:
                lines += ["Marker | Change | Note |", "---|---|---|"]
                lines += [f"{rng.choice(topic)} | {rng.choice(filler)} | {sentence(rng, topic, filler, 6)} |" for _ in range(3)]
            tiers[tier] += lines
            total += sum(len(line) + 1 for line in lines)
    references = "\n".join(
        f"- {word(rng, 2).capitalize()}, A. et al. “{sentence(rng, chapters[i % len(chapters)], FILLER['academic'], 8)[:-1]}.” "
        f"Journal of {word(rng, 2).capitalize()} Research, vol. {i + 1}, no. 2, 20{10 + i % 15}, pp. {i + 10}-{i + 20}."
        for i in range(20)
    )
    reflection = "Reflection\n\nWhat This Means for You\n" + paragraph(rng, chapters[0], FILLER["fundamentals"])
    return "\n\n".join(["\n".join(lines) for lines in tiers.values()] + ["References\n" + references, reflection]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    text = build(args.size, args.seed)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(text.encode())} bytes")


if __name__ == "__main__":
    main()
