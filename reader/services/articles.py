"""Writes: importing an article source into the relational model.

Parsing is done by :mod:`reader.text.parsing` (pure Python); this module maps its
dataclasses onto rows, inside one transaction, keeping the ids of blocks whose
text did not change so that links (and later notes) stay put.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.text import slugify

from reader import page_cache
from reader.metadata import ArticleMetadata
from reader.selectors.tiers import tier_section_starts
from reader.services.feeds import article_revision_record
from reader.services.notes import ReanchorReport, notes_reanchor
from reader.text import alignment, alignment_labels, parsing
from reader.text.canonical import block_content, iter_term_spans
from reader.models import (
    Article,
    Counterpart,
    CounterpartRejection,
    Author,
    Block,
    Definition,
    GlossaryTerm,
    Journal,
    Occurrence,
    Part,
    Reference,
    ReferenceAuthor,
    shorten,
)

BLOCK_KINDS = ("heading", "paragraph", "takeaway", "list_item", "table")
ANCHOR_PREFIX = {"heading": "h", "paragraph": "p", "takeaway": "t", "list_item": "li", "table": "tbl"}


@dataclass
class PartReport:
    slug: str
    title: str
    counts: dict[str, int]
    table_rows: list[int]


@dataclass
class ImportReport:
    slug: str
    title: str
    created: bool = False
    changed: bool = False
    parts: list[PartReport] = field(default_factory=list)
    references: int = 0
    unparsed_references: int = 0
    terms: int = 0
    marked_definitions: int = 0
    unmarked_definitions: int = 0
    blocks_kept: int = 0
    blocks_added: int = 0
    blocks_removed: int = 0
    irregularities: list[parsing.Irregularity] = field(default_factory=list)
    notes: ReanchorReport | None = None
    counterparts: CounterpartReport | None = None

    def lines(self) -> list[str]:
        """The report as printed by the import command."""
        state = "created" if self.created else ("updated" if self.changed else "unchanged")
        out = [f"{self.title} ({self.slug}): {state}"]
        out.append(f"  {'part':<14}{'headings':>9}{'paragraphs':>11}{'takeaways':>10}{'list items':>11}{'tables':>7}")
        for part in self.parts:
            c = part.counts
            rows = f" ({', '.join(str(n) for n in part.table_rows)} body rows)" if part.table_rows else ""
            out.append(
                f"  {part.title:<14}{c['heading']:>9}{c['paragraph']:>11}{c['takeaway']:>10}"
                f"{c['list_item']:>11}{c['table']:>7}{rows}"
            )
        out.append(
            f"  references: {self.references} ({self.unparsed_references} kept as written, not split into fields)"
        )
        out.append(
            f"  glossary: {self.terms} terms, {self.marked_definitions} marked definitions, "
            f"{self.unmarked_definitions} unmarked insertions"
        )
        if self.changed:
            out.append(
                f"  blocks: {self.blocks_kept} kept, {self.blocks_added} added, {self.blocks_removed} removed"
            )
        if self.notes is not None:
            out.append(self.notes.line())
        if self.counterparts is not None:
            out.extend(self.counterparts.lines())
        repaired = [i for i in self.irregularities if i.repaired]
        unrepaired = [i for i in self.irregularities if not i.repaired]
        out.append(f"  irregular spots repaired: {len(repaired)}")
        out.extend(f"    line {i.line}: [{i.kind}] {i.message}" for i in repaired)
        out.append(f"  irregular spots not repaired: {len(unrepaired)}")
        out.extend(f"    line {i.line}: [{i.kind}] {i.message}" for i in unrepaired)
        return out


class ArticleInputError(ValueError):
    """The slug, title or source name given for an import cannot be stored; nothing was written.

    ``str()`` is one plain-text sentence per problem, one per line.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# Bidirectional embeddings, overrides and isolates: invisible, and they reorder what is shown around them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(character: str) -> bool:
    """C0/C1 controls (NUL, tab, newline, escape…), surrogates, line/paragraph separators and bidi controls."""
    return unicodedata.category(character) in {"Cc", "Cs", "Zl", "Zp"} or character in _BIDI_CONTROLS


def _escaped(text: str) -> str:
    """``text`` with each control character written as an escape (``\\x00``), so none reaches a terminal."""
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") if _is_control(c) else c for c in text
    )


def _shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for a message, escaped and cut short."""
    ellipsis = "…" if len(value) > limit else ""
    return f'"{_escaped(value[:limit])}{ellipsis}"'


def _text_problems(what: str, value: str, max_length: int) -> list[str]:
    problems = []
    if not value.strip():
        problems.append(f"the {what} is empty.")
    if len(value) > max_length:
        problems.append(f"the {what} is {len(value)} characters long; at most {max_length} are allowed: {_shown(value)}")
    control = next((i for i, c in enumerate(value) if _is_control(c)), None)
    if control is not None:
        problems.append(
            f"the {what} contains a control character ({_escaped(value[control])} at position {control + 1}), "
            f"which is not allowed: {_shown(value)}"
        )
    return problems


def article_input_validate(*, slug: str, title: str, source_name: str = "") -> tuple[str, str, str]:
    """Check what an import would store besides the text: returns ``(slug, title, source_name)``, the title
    with surrounding spaces removed, or raises :class:`ArticleInputError` naming every problem.

    The slug must be a Django slug (ASCII letters, digits, hyphens, underscores) that fits the model's column,
    so that every URL of the article can be built; the title and source name must be text without control
    characters that fits its column.
    """
    problems: list[str] = []
    for what, value in (("slug", slug), ("title", title), ("source name", source_name)):
        if not isinstance(value, str):
            problems.append(f"the {what} must be text, not {type(value).__name__}.")
    if problems:
        raise ArticleInputError(problems)
    title = title.strip()

    slug_max = Article._meta.get_field("slug").max_length
    if not slug:
        problems.append("the slug is empty.")
    elif len(slug) > slug_max:
        problems.append(f"the slug is {len(slug)} characters long; at most {slug_max} are allowed: {_shown(slug)}")
    else:
        try:
            validate_slug(slug)
        except ValidationError:
            problems.append(
                f"the slug {_shown(slug)} is not a valid slug: use only the letters a-z and A-Z, "
                "digits, hyphens and underscores."
            )
    problems += _text_problems("title", title, Article._meta.get_field("title").max_length)
    if source_name:
        problems += _text_problems("source name", source_name, Article._meta.get_field("source_name").max_length)
    if problems:
        raise ArticleInputError(problems)
    return slug, title, source_name


def _field_max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _parsed_value_errors(parsed: parsing.ParsedArticle, term_slugs: dict[str, str]) -> list[tuple[int, str]]:
    """Values from the text that would not fit their columns, as ``(line, message)``."""
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    for definition in parsed.definitions:
        if definition.key in seen:
            continue
        seen.add(definition.key)
        for what, value, field_name in (
            ("glossary term", definition.name, "name"),
            ("glossary term", definition.key, "key"),
            ("glossary term's slug", term_slugs[definition.key], "slug"),
        ):
            limit = _field_max(GlossaryTerm, field_name)
            if len(value) > limit:
                errors.append((definition.line, f"{what} is {len(value)} characters long, at most {limit}: {_shown(value, 40)}"))
                break
    for reference in parsed.references:
        if not reference.parsed:
            continue
        values = [
            ("journal", reference.journal, Journal, "name"),
            ("volume", reference.volume, Reference, "volume"),
            ("issue", reference.issue, Reference, "issue"),
            ("pages", reference.pages, Reference, "pages"),
        ]
        for family, given in reference.authors:
            values += [("author's family name", family, Author, "family"), ("author's given name", given, Author, "given")]
        for what, value, model, field_name in values:
            limit = _field_max(model, field_name)
            if len(value) > limit:
                errors.append((reference.line, f"reference {what} is {len(value)} characters long, at most {limit}: {_shown(value, 40)}"))
    return sorted(errors)


def article_import(
    *, source: str, slug: str, title: str, source_name: str = "", labels: Mapping | None = None,
    metadata: ArticleMetadata | None = None,
) -> ImportReport:
    """Create or update the article ``slug`` from ``source`` text.

    ``metadata``, the sidecar's bibliographic keys (already checked: ``reader.metadata.article_metadata_validate``),
    replaces what is stored; None keeps it.

    ``labels``, a parsed alignment label file (tests/fixtures/alignment/blocks/), adds
    the alignment's precision@1 and coverage per direction to the report.

    Raises :class:`ArticleInputError` when the slug, title or source name cannot be stored, and
    :class:`reader.text.parsing.ArticleFormatError` when the text cannot be read as an article (or holds
    a value too long for its column), both before touching the database.
    """
    slug, title, source_name = article_input_validate(slug=slug, title=title, source_name=source_name)
    parsed = parsing.parse_article(source)
    value_errors = _parsed_value_errors(parsed, _term_slugs(parsed))
    if value_errors:
        raise parsing.ArticleFormatError(value_errors)
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    report = _report_for(parsed, slug=slug, title=title)

    # Whatever the import changes, the page cache's article state is renewed: now,
    # and again once committed, in case a request cached the old state in between.
    page_cache.article_changed(slug)
    transaction.on_commit(lambda: page_cache.article_changed(slug))
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(slug=slug).first()
        if article is not None and article.source_sha256 == digest and article.title == title:
            _reimport_unchanged(article, parsed, report, labels=labels, metadata=metadata)
            return report
        report.created = article is None
        article = _article_save(article, slug=slug, title=title, source_name=source_name, digest=digest, metadata=metadata)
        report.changed = True

        # Where each section was before the text changes: a note that detaches keeps its section's title.
        old_sections = {} if report.created else tier_section_starts(article=article)
        term_slugs = _term_slugs(parsed)
        blocks_by_part = _sync_parts_and_blocks(article, parsed, term_slugs, report)
        _sync_glossary(article, parsed, term_slugs, blocks_by_part)
        _sync_references(article, parsed)
        report.notes = notes_reanchor(article=article, old_sections=old_sections)
        report.counterparts = _sync_counterparts(parsed, blocks_by_part, labels)
        article.summary = _summary(parsed)
        article.save(update_fields=["summary"])
        article_revision_record(article=article, report=report)
    return report


def _reimport_unchanged(article: Article, parsed, report: ImportReport, *, labels: Mapping | None, metadata: ArticleMetadata | None) -> None:
    """The text is unchanged, but the aligner may have changed since: links are recomputed, and pages are
    renewed only if one moved. A re-import of the same source is also what brings an article imported by
    an older version up to date (its counterparts and, when they change, its summary): no separate back-fill."""
    blocks_by_part = {part.slug: list(part.blocks.order_by("position")) for part in article.parts.all()}
    report.counterparts = _sync_counterparts(parsed, blocks_by_part, labels)
    # New metadata changes every page's <head>: a new version renews the cached pages.
    if _metadata_apply(article, metadata) | report.counterparts.changed:
        article.version += 1
        article.summary = _summary(parsed)
        article.save(update_fields=["version", "summary", *METADATA_FIELDS])
        article_revision_record(article=article, report=report)


def _article_save(
    article: Article | None, *, slug: str, title: str, source_name: str, digest: str, metadata: ArticleMetadata | None
) -> Article:
    """The article row for a changed text: made, or updated with a new version."""
    if article is None:
        return Article.objects.create(
            slug=slug, title=title, source_name=source_name, source_sha256=digest, **(metadata.fields() if metadata else {})
        )
    article.title = title
    article.source_name = source_name or article.source_name
    article.source_sha256 = digest
    article.version += 1
    _metadata_apply(article, metadata)
    article.save()
    return article


METADATA_FIELDS = list(ArticleMetadata().fields())


def _metadata_apply(article: Article, metadata: ArticleMetadata | None) -> bool:
    """Set the article's metadata columns to ``metadata`` (None: keep them); whether one changed."""
    if metadata is None:
        return False
    fields = metadata.fields()
    changed = any(getattr(article, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(article, name, value)
    return changed


SUMMARY_MAX_LENGTH = 240


def _summary(parsed: parsing.ParsedArticle) -> str:
    """The opening of the first tier's first paragraph, cut at a word."""
    first = next((b.text for part in parsed.tiers for b in part.blocks if b.kind == "paragraph"), "")
    return shorten(first, SUMMARY_MAX_LENGTH, at_word=True)


def _report_for(parsed: parsing.ParsedArticle, *, slug: str, title: str) -> ImportReport:
    report = ImportReport(slug=slug, title=title)
    for part in parsed.parts:
        counts = {kind: part.count(kind) for kind in BLOCK_KINDS}
        rows = [len(block.rows) for block in part.blocks if block.kind == "table"]
        report.parts.append(PartReport(slug=part.slug, title=part.title, counts=counts, table_rows=rows))
    report.references = len(parsed.references)
    report.unparsed_references = sum(1 for ref in parsed.references if not ref.parsed)
    report.terms = len({d.key for d in parsed.definitions})
    report.marked_definitions = sum(1 for d in parsed.definitions if d.marked)
    report.unmarked_definitions = sum(1 for d in parsed.definitions if not d.marked)
    report.irregularities = list(parsed.irregularities)
    return report


def _term_slugs(parsed: parsing.ParsedArticle) -> dict[str, str]:
    """Map each term key to a unique slug, stable for the same set of keys."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted({d.key for d in parsed.definitions}):
        base = slugify(key) or "term"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate)
        slugs[key] = candidate
    return slugs


def _new_anchor(kind: str, text: str, taken: set[str]) -> str:
    digest = hashlib.sha1(f"{kind}\n{text}".encode("utf-8")).hexdigest()
    base = f"{ANCHOR_PREFIX[kind]}-{digest[:7]}"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _sync_parts_and_blocks(article, parsed, term_slugs, report) -> dict[str, list[Block]]:
    existing_parts = {part.slug: part for part in article.parts.all()}
    blocks_by_part: dict[str, list[Block]] = {}
    for position, parsed_part in enumerate(parsed.parts):
        kind = Part.Kind.REFLECTION if parsed_part.slug == "reflection" else Part.Kind.TIER
        words = sum(len(block.text.split()) for block in parsed_part.blocks)
        part = existing_parts.pop(parsed_part.slug, None)
        if part is None:
            part = Part.objects.create(
                article=article, slug=parsed_part.slug, title=parsed_part.title,
                kind=kind, position=position, word_count=words,
            )
        else:
            part.title, part.kind, part.position, part.word_count = parsed_part.title, kind, position, words
            part.save()
        blocks_by_part[part.slug] = _sync_blocks(part, parsed_part, term_slugs, report)
    for stale in existing_parts.values():
        report.blocks_removed += stale.blocks.count()
        stale.delete()
    return blocks_by_part


def _sync_blocks(part: Part, parsed_part, term_slugs, report) -> list[Block]:
    # Reuse a row for each new block whose kind and text match an old one, in order.
    reusable: dict[tuple[str, str], deque[Block]] = defaultdict(deque)
    old_blocks = list(part.blocks.all())
    for block in old_blocks:
        reusable[(block.kind, block.text)].append(block)
    taken = {block.anchor for block in old_blocks}

    result: list[Block] = []
    to_create: list[Block] = []
    to_update: list[Block] = []
    for position, parsed_block in enumerate(parsed_part.blocks):
        text = parsed_block.text
        content = block_content(parsed_block, term_slugs)
        queue = reusable.get((parsed_block.kind, text))
        if queue:
            block = queue.popleft()
            if (block.position, block.content, block.source_line) != (position, content, parsed_block.line):
                block.position, block.content, block.source_line = position, content, parsed_block.line
                to_update.append(block)
            report.blocks_kept += 1
        else:
            block = Block(
                part=part, position=position, kind=parsed_block.kind, text=text, content=content,
                source_line=parsed_block.line, anchor=_new_anchor(parsed_block.kind, text, taken),
            )
            to_create.append(block)
            report.blocks_added += 1
        result.append(block)

    stale_ids = [block.pk for queue in reusable.values() for block in queue]
    if stale_ids:
        Block.objects.filter(pk__in=stale_ids).delete()
        report.blocks_removed += len(stale_ids)
    if to_update:
        Block.objects.bulk_update(to_update, ["position", "content", "source_line"])
    if to_create:
        # SQLite (3.35+) and PostgreSQL return the new ids, which definitions and occurrences need.
        Block.objects.bulk_create(to_create)
    return result


def _sync_glossary(article, parsed, term_slugs, blocks_by_part) -> None:
    names: dict[str, str] = {}
    for definition in parsed.definitions:
        names.setdefault(definition.key, definition.name)
    existing = {term.slug: term for term in article.terms.all()}
    terms: dict[str, GlossaryTerm] = {}
    for key, slug in term_slugs.items():
        term = existing.pop(slug, None)
        if term is None:
            term = GlossaryTerm.objects.create(article=article, key=key, slug=slug, name=names[key])
        elif (term.key, term.name) != (key, names[key]):
            term.key, term.name = key, names[key]
            term.save()
        terms[key] = term
    for stale in existing.values():
        stale.delete()

    Definition.objects.filter(term__article=article).delete()
    Occurrence.objects.filter(term__article=article).delete()
    positions: dict[str, int] = defaultdict(int)
    definitions = []
    for definition in parsed.definitions:
        block = blocks_by_part[definition.part][definition.block_index]
        definitions.append(
            Definition(
                term=terms[definition.key], block=block, text=definition.definition,
                marked=definition.marked, position=positions[definition.key],
            )
        )
        positions[definition.key] += 1
    Definition.objects.bulk_create(definitions)

    slug_to_term = {term.slug: term for term in terms.values()}
    occurrences = []
    for blocks in blocks_by_part.values():
        for block in blocks:
            for term_slug, defining in iter_term_spans(block.content):
                occurrences.append(Occurrence(term=slug_to_term[term_slug], block=block, defining=defining))
    Occurrence.objects.bulk_create(occurrences)


def _sync_references(article, parsed) -> None:
    article.references.all().delete()
    for position, parsed_ref in enumerate(parsed.references, start=1):
        journal = None
        if parsed_ref.parsed and parsed_ref.journal:
            journal, _ = Journal.objects.get_or_create(name=parsed_ref.journal)
        reference = Reference.objects.create(
            article=article, position=position, raw=parsed_ref.raw, parsed=parsed_ref.parsed,
            title=parsed_ref.title, journal=journal, volume=parsed_ref.volume, issue=parsed_ref.issue,
            year=parsed_ref.year, pages=parsed_ref.pages, et_al=parsed_ref.et_al,
        )
        for author_position, (family, given) in enumerate(parsed_ref.authors):
            author, _ = Author.objects.get_or_create(family=family, given=given)
            ReferenceAuthor.objects.create(reference=reference, author=author, position=author_position)


@dataclass
class CounterpartReport:
    """What the import did to the cross-tier links, and the section alignment table."""

    kept: int = 0  # of which ``updated`` were re-pointed or re-scored
    updated: int = 0
    added: int = 0
    removed: int = 0
    pinned: int = 0
    rejected: int = 0
    table: list[str] = field(default_factory=list)
    quality: list[str] = field(default_factory=list)  # against the article's labels, when it has them

    @property
    def changed(self) -> bool:
        return bool(self.updated or self.added or self.removed)

    def lines(self) -> list[str]:
        lines = [
            f"  counterparts: {self.kept} kept ({self.updated} re-pointed or re-scored), {self.added} added, "
            f"{self.removed} removed, {self.pinned} pinned by an editor, {self.rejected} rejected by an editor",
            "  section alignment:",
            *(f"    {line}" for line in self.table),
        ]
        if self.quality:
            lines += ["  alignment against the labels (precision@1, coverage):", *(f"    {l}" for l in self.quality)]
        return lines


def _sync_counterparts(
    parsed: parsing.ParsedArticle, blocks_by_part: dict[str, list[Block]], labels: Mapping | None = None
) -> CounterpartReport:
    """Recompute every cross-tier link; unchanged links keep their ids, editors' pins and deletions hold."""
    passages = alignment.passages_from_article(parsed)
    result = alignment.align(passages, glossary=alignment.glossary_from_article(parsed))
    report = CounterpartReport(table=alignment.alignment_table(passages, result))
    if labels is not None:
        try:
            scores = alignment_labels.evaluate(result, passages, alignment_labels.labels_from_data(labels, passages))
            report.quality = alignment_labels.quality_table(scores)
        except alignment_labels.LabelError as error:
            report.quality = [f"the labels do not fit this article: {error}"]
    _counterparts_store(_wanted_counterparts(passages, result, blocks_by_part), blocks_by_part, report)
    return report


_Wanted = dict[tuple[int, str, str], tuple[Block, float, list[str]]]  # (source id, scope, target tier) -> target, score, terms


def _wanted_counterparts(passages, result, blocks_by_part: dict[str, list[Block]]) -> _Wanted:
    """The alignment's links as rows to store; a section is represented by its first block."""

    def block_of(key) -> Block:
        tier, index = key
        return blocks_by_part[tier][index]

    section_first: dict[tuple[str, int], Block] = {}
    for passage in passages:
        section_first.setdefault((passage.tier, passage.section), block_of(passage.key))
    wanted: _Wanted = {}
    for link in result.blocks:
        source, target = block_of(link.source), block_of(link.target)
        wanted[(source.pk, Counterpart.Scope.BLOCK, target.part.slug)] = (target, link.score, list(link.shared_terms))
    for link in result.sections:
        source = section_first[(link.source_tier, link.source_section)]
        target = section_first[(link.target_tier, link.target_section)]
        wanted[(source.pk, Counterpart.Scope.SECTION, link.target_tier)] = (target, link.score, list(link.shared_terms))
    return wanted


def _counterparts_store(wanted: _Wanted, blocks_by_part: dict[str, list[Block]], report: CounterpartReport) -> None:
    """Make the stored links ``wanted`` (which this empties): pinned ones stay, rejected ones are not made again."""
    block_ids = [block.pk for blocks in blocks_by_part.values() for block in blocks]
    rejected = set(
        CounterpartRejection.objects.filter(source_block_id__in=block_ids).values_list(
            "source_block_id", "target_block_id", "scope"
        )
    )
    to_update, stale = [], []
    for existing in Counterpart.objects.filter(source_block_id__in=block_ids):
        key = (existing.source_block_id, existing.scope, existing.target_tier)
        if existing.pinned:
            report.pinned += 1
            wanted.pop(key, None)
            continue
        proposal = wanted.pop(key, None)
        if proposal is None or (existing.source_block_id, proposal[0].pk, existing.scope) in rejected:
            stale.append(existing.pk)
            continue
        target, score, terms = proposal
        if (existing.target_block_id, existing.score, existing.shared_terms) != (target.pk, score, terms):
            existing.target_block, existing.score, existing.shared_terms = target, score, terms
            to_update.append(existing)
        report.kept += 1
    report.updated = len(to_update)
    to_create = []
    for (source_id, scope, tier), (target, score, terms) in wanted.items():
        if (source_id, target.pk, scope) in rejected:
            report.rejected += 1
            continue
        to_create.append(
            Counterpart(
                source_block_id=source_id, target_block=target, target_tier=tier, scope=scope,
                score=score, shared_terms=terms,
            )
        )
    if stale:
        Counterpart.objects.filter(pk__in=stale).delete()
    if to_update:
        Counterpart.objects.bulk_update(to_update, ["target_block", "score", "shared_terms"])
    Counterpart.objects.bulk_create(to_create)
    report.removed, report.added = len(stale), len(to_create)
