"""Reads about articles: the list, one article, its glossary and its references."""

from __future__ import annotations

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
