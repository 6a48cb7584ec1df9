"""Reads about articles: the list, one article, its glossary and its references."""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from reader.models import Article, Definition, GlossaryTerm, Occurrence, Reference, ReferenceAuthor


def article_list() -> QuerySet[Article]:
    return Article.objects.order_by("title")


def article_get(*, slug: str) -> Article | None:
    return Article.objects.filter(slug=slug).first()


def glossary_get(*, article: Article) -> list[GlossaryTerm]:
    return list(
        GlossaryTerm.objects.filter(article=article)
        .order_by("key")
        .prefetch_related(
            Prefetch("definitions", queryset=Definition.objects.select_related("block__part").order_by("position")),
            Prefetch(
                "occurrences",
                queryset=Occurrence.objects.select_related("block__part__article").order_by(
                    "block__part__position", "block__position"
                ),
            ),
        )
    )


# Terms that do not start with a letter A-Z (after accents are dropped) are listed under this.
OTHER_LETTER = "#"


@dataclass(frozen=True)
class GlossaryLetter:
    """One letter of the glossary's A-Z: its terms (none for a letter no term starts with)."""

    letter: str
    terms: tuple

    @property
    def anchor(self) -> str:
        return "letter-other" if self.letter == OTHER_LETTER else f"letter-{self.letter.lower()}"


def glossary_letter(name: str) -> str:
    first = unicodedata.normalize("NFKD", name.strip()[:1]).encode("ascii", "ignore").decode().upper()
    return first if first and first in string.ascii_uppercase else OTHER_LETTER


def glossary_letters(terms) -> list[GlossaryLetter]:
    """Every letter A-Z (and "#" when a term needs it), each with its terms in the given order."""
    groups: dict[str, list] = {letter: [] for letter in string.ascii_uppercase}
    for term in terms:
        groups.setdefault(glossary_letter(term.name), []).append(term)
    order = [*string.ascii_uppercase, *([OTHER_LETTER] if groups.get(OTHER_LETTER) else [])]
    return [GlossaryLetter(letter, tuple(groups[letter])) for letter in order]


def references_get(*, article: Article) -> list[Reference]:
    """The article's references in order, with what ``Reference.citation()`` reads."""
    return list(
        Reference.objects.filter(article=article)
        .select_related("journal")
        .prefetch_related(
            Prefetch("authorships", queryset=ReferenceAuthor.objects.select_related("author").order_by("position"))
        )
        .order_by("position")
    )
