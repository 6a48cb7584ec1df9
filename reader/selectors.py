"""Reads: what each page needs, in a small, constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.safestring import mark_safe

from reader.citations import Citation, with_unique_keys
from reader.release import code_fingerprint
from reader.models import Article, Block, Definition, GlossaryTerm, Note, Occurrence, Part, Reference, ReferenceAuthor
from reader.rendering import CompiledHtml, Mark, canonical_text, compile_blocks, iter_term_spans, render_blocks

TIER_SLUGS = ("fundamentals", "intermediate", "academic")
TIER_TEXT_CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    text: str


@dataclass(frozen=True)
class PartSummary:
    slug: str
    title: str
    url: str
    reading_minutes: int


@dataclass(frozen=True)
class TermSummary:
    slug: str
    name: str
    definitions: tuple[str, ...]


@dataclass(frozen=True)
class TierText:
    """Everything about a tier page that is the same for every reader; cached per article version."""

    tier: PartSummary
    tiers: tuple[PartSummary, ...]
    reflection: PartSummary | None
    article: CompiledHtml
    reflection_html: str
    toc: tuple[TocEntry, ...]
    terms: tuple[TermSummary, ...]


@dataclass
class TierPage:
    article: Article
    tier: PartSummary
    tiers: tuple[PartSummary, ...]
    reflection: PartSummary | None
    article_html: str
    reflection_html: str
    toc: tuple[TocEntry, ...]
    terms: tuple[TermSummary, ...]
    notes: list[Note]
    detached_notes: list[Note]


def article_list():
    return Article.objects.order_by("title")


def article_get(*, slug: str) -> Article:
    try:
        return Article.objects.get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No article with that address.") from None


def tier_text_cache_key(article: Article, tier_slug: str) -> str:
    # Version and source hash change with every import that changes the article,
    # so an import invalidates the cache on every node that shares it.
    # The code fingerprint keeps a new release from serving what an old one rendered.
    return f"tier-text:{code_fingerprint()}:{article.pk}:{article.version}:{article.source_sha256[:16]}:{tier_slug}"


def _summary(part: Part, article: Article) -> PartSummary:
    url = reverse("tier", kwargs={"slug": article.slug, "tier": part.slug}) if part.kind == Part.Kind.TIER else ""
    return PartSummary(slug=part.slug, title=part.title, url=url, reading_minutes=part.reading_minutes)


def _tier_text_build(article: Article, tier_slug: str) -> TierText | None:
    parts = list(
        Part.objects.filter(article=article).prefetch_related(
            Prefetch("blocks", queryset=Block.objects.order_by("position"))
        )
    )
    tiers = [part for part in parts if part.kind == Part.Kind.TIER]
    tier = next((part for part in tiers if part.slug == tier_slug), None)
    if tier is None:
        return None
    reflection = next((part for part in parts if part.kind == Part.Kind.REFLECTION), None)
    shown_blocks = list(tier.blocks.all()) + (list(reflection.blocks.all()) if reflection else [])
    term_slugs = {term_slug for block in shown_blocks for term_slug, _ in iter_term_spans(block.content)}
    terms = GlossaryTerm.objects.filter(article=article, slug__in=term_slugs).prefetch_related(
        Prefetch("definitions", queryset=Definition.objects.order_by("position"))
    )
    return TierText(
        tier=_summary(tier, article),
        tiers=tuple(_summary(part, article) for part in tiers),
        reflection=_summary(reflection, article) if reflection else None,
        article=compile_blocks(tier.blocks.all()),
        reflection_html=str(render_blocks(reflection.blocks.all())) if reflection else "",
        toc=tuple(TocEntry(b.anchor, b.text) for b in tier.blocks.all() if b.kind == Block.Kind.HEADING),
        terms=tuple(
            TermSummary(term.slug, term.name, tuple(d.text for d in term.definitions.all())) for term in terms
        ),
    )


def tier_text_get(*, article: Article, tier_slug: str) -> TierText:
    key = tier_text_cache_key(article, tier_slug)
    tier_text = cache.get(key)
    if tier_text is None:
        tier_text = _tier_text_build(article, tier_slug)
        if tier_text is None:
            raise Http404("This article has no such tier.")
        cache.set(key, tier_text, timeout=TIER_TEXT_CACHE_SECONDS)
    return tier_text


def tier_page_get(*, slug: str, tier_slug: str, user=None, article: Article | None = None) -> TierPage:
    if tier_slug not in TIER_SLUGS:
        raise Http404("Unknown reading depth.")
    if article is None:
        article = article_get(slug=slug)
    text = tier_text_get(article=article, tier_slug=tier_slug)
    notes: list[Note] = []
    detached_notes: list[Note] = []
    if user is not None and user.is_authenticated:
        for note in Note.objects.live().filter(user=user, article=article, tier=tier_slug).order_by("start", "pk"):
            note.article = article
            (notes if note.status == Note.Status.ANCHORED else detached_notes).append(note)
    marks = [Mark(note.start, note.end, str(note.uuid), note.is_highlight) for note in notes]
    return TierPage(
        article=article,
        tier=text.tier,
        tiers=text.tiers,
        reflection=text.reflection,
        article_html=text.article.render(marks),
        reflection_html=mark_safe(text.reflection_html),
        toc=text.toc,
        terms=text.terms,
        notes=notes,
        detached_notes=detached_notes,
    )


def tier_canonical_texts(*, article: Article) -> dict[str, str]:
    """Each tier's canonical text: its blocks' plain text joined (see reader.rendering)."""
    texts: dict[str, list[str]] = {}
    rows = (
        Block.objects.filter(part__article=article, part__kind=Part.Kind.TIER)
        .order_by("part__position", "position")
        .values_list("part__slug", "text")
    )
    for tier_slug, text in rows:
        texts.setdefault(tier_slug, []).append(text)
    return {tier_slug: canonical_text(block_texts) for tier_slug, block_texts in texts.items()}


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
    return list(
        Reference.objects.filter(article=article)
        .select_related("journal")
        .prefetch_related(
            Prefetch("authorships", queryset=ReferenceAuthor.objects.select_related("author").order_by("position"))
        )
        .order_by("position")
    )


def reference_citations(references: list[Reference]) -> list[Citation]:
    """Citation records (with unique keys) for the references, in order."""
    return with_unique_keys(
        [
            Citation(
                key="",
                raw=reference.raw,
                parsed=reference.parsed,
                authors=tuple((a.author.family, a.author.given) for a in reference.authorships.all()),
                et_al=reference.et_al,
                title=reference.title,
                journal=reference.journal.name if reference.journal else "",
                volume=reference.volume,
                issue=reference.issue,
                year=reference.year,
                pages=reference.pages,
            )
            for reference in references
        ]
    )
