"""The relational model of an imported article.

An article has parts (three reading tiers and a closing reflection), each an
ordered list of blocks. Glossary terms hang off the article, with their
definitions and every marked occurrence. References point at journals and,
through an ordered join model, at authors shared across articles.
"""

import unicodedata
import uuid
from functools import cache

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from reader.citations import Citation


class Tier(models.TextChoices):
    """The three reading depths, in depth order; the source format names them (reader.text.parsing)."""

    FUNDAMENTALS = "fundamentals", "Fundamentals"
    INTERMEDIATE = "intermediate", "Intermediate"
    ACADEMIC = "academic", "Academic"


# Who each depth is for: one line, shown on the home card and the tier page.
TIER_AUDIENCES = {
    Tier.FUNDAMENTALS: "For anyone: plain words, no background needed",
    Tier.INTERMEDIATE: "For readers who know the basics: clinical terms, how treatments work",
    Tier.ACADEMIC: "For clinicians and researchers: mechanisms, studies, references",
}

# The usual figure for adult non-fiction reading: reading times, and the minutes left in a tier (reading-progress.js).
WORDS_PER_MINUTE = 230


class ArticleManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Article(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True, help_text="The opening of Fundamentals, for the article list.")
    source_name = models.CharField(max_length=300, blank=True)
    # Hash of the source text: a re-import of an unchanged file is a no-op.
    source_sha256 = models.CharField(max_length=64, blank=True)
    # Bumped by every import that changes something; keys caches of rendered text.
    version = models.PositiveIntegerField(default=1)
    imported_at = models.DateTimeField(auto_now=True)
    # Bibliographic metadata, as the sidecar JSON gives it (reader.metadata.article_metadata_validate);
    # blank where it gives none: pages then leave the tag out rather than guess.
    authors = models.JSONField(default=list, blank=True, help_text='[{"family": "Doe", "given": "Jane"}, ...]')
    publication_date = models.CharField(max_length=10, blank=True, help_text="ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD")
    publisher = models.CharField(max_length=200, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    language = models.CharField(max_length=35, blank=True, help_text="A BCP 47 language tag, e.g. en or en-GB")

    objects = ArticleManager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        # Lets `dumpdata --natural-foreign` carry notes to a database whose ids differ.
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("article", kwargs={"slug": self.slug})


class PartQuerySet(models.QuerySet):
    def tiers(self):
        return self.filter(kind=Part.Kind.TIER)


class Part(models.Model):
    class Kind(models.TextChoices):
        TIER = "tier", "Reading tier"
        REFLECTION = "reflection", "Closing reflection"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="parts")
    slug = models.SlugField(max_length=40)
    title = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    word_count = models.PositiveIntegerField(default=0)

    objects = PartQuerySet.as_manager()

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "slug"], name="unique_part_slug_per_article"),
        ]

    def __str__(self) -> str:
        return f"{self.article.title} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tier", kwargs={"slug": self.article.slug, "tier": self.slug})

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    @property
    def audience(self) -> str:
        """Who this depth is for (empty for the closing reflection)."""
        return TIER_AUDIENCES.get(self.slug, "")


class Block(models.Model):
    class Kind(models.TextChoices):
        HEADING = "heading", "Section heading"
        PARAGRAPH = "paragraph", "Paragraph"
        TAKEAWAY = "takeaway", "Takeaway"
        LIST_ITEM = "list_item", "List item"
        TABLE = "table", "Table"

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The element id in the page. Derived from the text when the block is first
    # created and kept while the text stays the same, so links survive re-imports.
    anchor = models.SlugField(max_length=40)
    text = models.TextField(help_text="Canonical plain text of the block.")
    # Inline structure (spans, list label, table cells) as produced by the parser.
    content = models.JSONField(default=dict)
    source_line = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["part", "position"]
        constraints = [
            models.UniqueConstraint(fields=["part", "anchor"], name="unique_block_anchor_per_part"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        """The passage on its tier page; reflection blocks show on every tier, so use the first."""
        part = self.part
        tier_slug = part.slug if part.kind == Part.Kind.TIER else "fundamentals"
        return reverse("tier", kwargs={"slug": part.article.slug, "tier": tier_slug}) + f"#{self.anchor}"


class GlossaryTerm(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="terms")
    key = models.CharField(max_length=200, help_text="Lower-case term text used for matching.")
    slug = models.SlugField(max_length=200)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["article", "slug"], name="unique_term_slug_per_article"),
        ]

    def __str__(self) -> str:
        return self.name


class Definition(models.Model):
    term = models.ForeignKey(GlossaryTerm, on_delete=models.CASCADE, related_name="definitions")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="definitions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    # False where the importer found the definition as an unmarked insertion.
    marked = models.BooleanField(default=True)

    class Meta:
        ordering = ["term", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class Occurrence(models.Model):
    term = models.ForeignKey(GlossaryTerm, on_delete=models.CASCADE, related_name="occurrences")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="occurrences")
    defining = models.BooleanField(default=False)

    class Meta:
        ordering = ["block__part__position", "block__position"]

    def __str__(self) -> str:
        return f"{self.term} in {self.block.part.slug}#{self.block.anchor}"


class Journal(models.Model):
    name = models.CharField(max_length=300, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    family = models.CharField(max_length=150)
    given = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["family", "given"]
        constraints = [
            models.UniqueConstraint(fields=["family", "given"], name="unique_author_name"),
        ]

    def __str__(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family


class Reference(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField()
    raw = models.TextField(help_text="The reference as written in the source.")
    # False when the importer could not split the reference; only raw is shown.
    parsed = models.BooleanField(default=True)
    title = models.TextField(blank=True)
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, null=True, blank=True, related_name="references"
    )
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    pages = models.CharField(max_length=40, blank=True)
    et_al = models.BooleanField(default=False)
    authors = models.ManyToManyField(Author, through="ReferenceAuthor", related_name="references")

    class Meta:
        ordering = ["article", "position"]

    def __str__(self) -> str:
        return self.title or self.raw[:80]


    def citation(self) -> Citation:
        """This reference as a citation record (key assigned by ``citations.with_unique_keys``).

        Reads ``journal`` and ``authorships__author``: select and prefetch them.
        """
        return Citation(
            key="",
            raw=self.raw,
            parsed=self.parsed,
            authors=tuple((a.author.family, a.author.given) for a in self.authorships.all()),
            et_al=self.et_al,
            title=self.title,
            journal=self.journal.name if self.journal else "",
            volume=self.volume,
            issue=self.issue,
            year=self.year,
            pages=self.pages,
        )


class ReferenceAuthor(models.Model):
    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["reference", "position"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "position"], name="unique_author_position"),
        ]


class Tag(models.Model):
    """A reader's own label for notes. Matched case-folded (``key``), shown as first written (``name``)."""

    MAX_PER_NOTE = 10
    MAX_LENGTH = 40

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=MAX_LENGTH)
    key = models.CharField(max_length=MAX_LENGTH * 3, help_text="The name case-folded, for matching.")

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_tag_per_reader_and_key")]

    def __str__(self) -> str:
        return self.name


class NoteQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def owned_by(self, user):
        return self.filter(user=user)


class Note(models.Model):
    """A reader's highlight (empty body) or note, anchored to a tier's canonical text.

    Notes point at the article and the tier *slug*, not at parts or blocks, so
    that no import can cascade-delete them; re-anchoring moves or detaches them.
    """

    class Status(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        DETACHED = "detached", "Detached"

    BODY_MAX_LENGTH = 10_000

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="notes")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="notes")
    tier = models.SlugField(max_length=40, choices=Tier.choices)
    body = models.TextField(blank=True, max_length=BODY_MAX_LENGTH)
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ANCHORED)
    # Where a detached note was: the title of the section its old position lay in, taken by
    # re-anchoring from the text before the import ("" when not known: "section unknown").
    detached_section = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    # Soft delete, so that "Undo" can bring a note back.
    deleted_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="notes")
    # Kept from a note made through the annotation protocol (reader.annotations.views): the
    # annotation's ``canonical`` IRI, and ``via``, the IRIs it was copied from (a client's own id).
    canonical = models.TextField(blank=True, default="")
    via = models.JSONField(default=list, blank=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["user", "article", "tier"], name="note_user_tier_idx"),
            models.Index(fields=["article", "tier"], name="note_article_tier_idx"),
            # The per-reader limit counts live notes inside every creation's lock: from this index alone.
            models.Index(fields=["user"], condition=models.Q(deleted_at__isnull=True), name="note_user_live_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.article.slug}/{self.tier}: {self.exact[:40]}"

    @property
    def is_highlight(self) -> bool:
        return self.is_highlight_body(self.body)

    @staticmethod
    def is_highlight_body(body: str) -> bool:
        """A note without words is a highlight."""
        return not body.strip()

    @property
    def motivation(self) -> str:
        return "highlighting" if self.is_highlight else "commenting"

    @property
    def element_id(self) -> str:
        return f"note-{self.uuid}"

    def get_absolute_url(self) -> str:
        """The note's W3C annotation id: its URL in the reader's annotation container."""
        return _annotation_url_pattern().format(self.uuid)

    # A tier's notes panel lists every card with these links: reversing once per
    # URL name, not per note, keeps a 500-note panel from costing 1 ms a card.
    def get_edit_url(self) -> str:
        return _note_url_pattern("note-edit").format(self.uuid)

    def get_delete_url(self) -> str:
        return _note_url_pattern("note-delete").format(self.uuid)

    @property
    def quote_preview(self) -> str:
        return shorten(self.exact, 240)

    @property
    def quote_short(self) -> str:
        return shorten(self.exact, 40)

    @property
    def created_iso(self) -> str:
        return timezone.localtime(self.created).replace(microsecond=0).isoformat()

    def get_reattach_url(self) -> str:
        return _note_url_pattern("note-reattach").format(self.uuid)

    def get_reattach_page_url(self) -> str:
        """The note's tier, opened ready to re-attach it (reattach.js); without JavaScript, at its card."""
        tier_url = reverse("tier", kwargs={"slug": self.article.slug, "tier": self.tier})
        return f"{tier_url}?reattach={self.uuid}#panel-{self.element_id}"

    @property
    def modified_iso(self) -> str:
        """For <time datetime>: whole seconds, as the HTML spec's valid dates allow any precision but validators prefer."""
        return timezone.localtime(self.modified).replace(microsecond=0).isoformat()

    def get_passage_url(self) -> str:
        return reverse("tier", kwargs={"slug": self.article.slug, "tier": self.tier}) + f"#{self.element_id}"


@cache
def _note_url_pattern(name: str) -> str:
    sample = uuid.UUID(int=0)
    return reverse(name, kwargs={"note_uuid": sample}).replace(str(sample), "{}")


@cache
def _annotation_url_pattern() -> str:
    sample = uuid.UUID(int=0)
    return reverse("annotation", kwargs={"annotation_uuid": sample}).replace(str(sample), "{}")


def shorten(text: str, limit: int, *, at_word: bool = False) -> str:
    """``text`` in at most ``limit`` characters, ending in "…" when cut (Django's ``Truncator``). ``at_word``:
    the cut falls between words, and a clause's punctuation before it goes too."""
    cut = Truncator(text).chars(limit)
    if cut == unicodedata.normalize("NFC", text):
        return cut
    kept = cut.removesuffix("…")
    # What is kept loses its trailing space (cut at a word: the last partial word and any ",;:" before it).
    return (kept.rsplit(" ", 1)[0].rstrip(",;:") if at_word else kept.rstrip()) + "…"


class Counterpart(models.Model):
    """A passage in another tier that tells the same thing at that depth.

    Computed at import (``reader.text.alignment``) for every block and every
    section (a section is represented by its first block: its heading, or the
    first block of a tier's untitled opening). Directional: the counterpart of
    A in Academic is stored on A. An editor may pin a link, which then
    survives re-imports while both blocks exist, or delete one, which records a
    :class:`CounterpartRejection` so the importer never adds it again.
    """

    class Scope(models.TextChoices):
        BLOCK = "block", "Block"
        SECTION = "section", "Section"

    source_block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="counterparts")
    target_block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="counterpart_of")
    target_tier = models.CharField(max_length=20, choices=Tier.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.BLOCK)
    score = models.FloatField(default=0.0)
    shared_terms = models.JSONField(default=list, blank=True)
    pinned = models.BooleanField(default=False, help_text="Kept by every re-import while both passages exist.")

    class Meta:
        ordering = ["source_block", "scope", "target_tier"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_block", "scope", "target_tier"], name="one_counterpart_per_tier_and_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_block.anchor} → {self.target_tier}#{self.target_block.anchor}"


class CounterpartRejection(models.Model):
    """A link an editor deleted: the importer never proposes it again."""

    source_block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="+")
    target_block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=Counterpart.Scope.choices, default=Counterpart.Scope.BLOCK)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_block", "target_block", "scope"], name="unique_counterpart_rejection"),
        ]

    def __str__(self) -> str:
        return f"rejected {self.source_block_id} → {self.target_block_id}"


class ReadingPlace(models.Model):
    """Where a signed-in reader last was in an article, so it follows them to another browser."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="reading_places")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=20, choices=Tier.choices)
    anchor = models.SlugField(max_length=40, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="one_reading_place_per_article")]

    def __str__(self) -> str:
        return f"{self.user} at {self.article.slug}/{self.tier}#{self.anchor}"


class ExternalAnnotationQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)


class ExternalAnnotation(models.Model):
    """A reader's W3C Web Annotation on anything but a passage of one of our tiers, stored as given.

    Made through the annotation protocol (``/annotations/``). ``data`` is the
    annotation as the client sent it (validated by ``reader.annotations.model``)
    less what the server owns: ``id``, ``created`` and ``modified``. Deleting
    empties ``data`` and keeps the row as a tombstone, so the id answers 410
    Gone and is never given out again.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="external_annotations")
    data = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ExternalAnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "created"], name="external_annotation_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: annotation {self.uuid}"

    def get_absolute_url(self) -> str:
        return _annotation_url_pattern().format(self.uuid)


class AnnotationId(models.Model):
    """Every id a note or an annotation of another page has ever been given, kept for good.

    Written in the transaction that creates the note or annotation
    (``reader.services.notes.annotation_id_issue``). It has no foreign key, so it
    outlives the note, the annotation's tombstone and the reader's account, which
    cascade away with the account: an id once given out (and shown at
    ``/annotations/<id>`` and in exports) is never given to anyone again. Being
    the primary key, it also keeps an id unique across notes and annotations
    together, whatever the race (two requests sending the same ``Slug``).
    """

    uuid = models.UUIDField(primary_key=True, editable=False)

    def __str__(self) -> str:
        return str(self.uuid)


class AccessToken(models.Model):
    """A personal access token: ``Authorization: Bearer <token>`` on ``/annotations/`` acts as its reader.

    Only the SHA-256 of the token is stored (``reader.services.tokens``); the
    token itself is shown once, when it is made. Revoking deletes the row.
    """

    NAME_MAX_LENGTH = 100

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so that a reader can tell their tokens apart.
    hint = models.CharField(max_length=8)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"


class ReaderPreference(models.Model):
    """A signed-in reader's settings that follow them to every browser (issue #19)."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="reader_preference")
    single_key_shortcuts = models.BooleanField(
        default=True, help_text="Shortcuts of one character key (h, n, j, k, ?…); off for WCAG 2.1.4."
    )

    def __str__(self) -> str:
        return f"{self.user}: single-key shortcuts {'on' if self.single_key_shortcuts else 'off'}"


class FeedKey(models.Model):
    """The secret in the address of a reader's notes feed, ``/feeds/notes/<lookup>.<mac>/`` (``reader.services.feeds``).

    Feed readers cannot send headers, so the address is the credential. Only ``lookup`` (random) is stored;
    the ``mac`` half is an HMAC of it under ``SECRET_KEY``, so a copy of the database alone opens no feed,
    while the tokens page can show the address again. Resetting gives a new ``lookup``.
    """

    LOOKUP_LENGTH = 22  # secrets.token_urlsafe(16): 128 random bits

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="feed_key")
    lookup = models.CharField(max_length=LOOKUP_LENGTH, unique=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"feed key of {self.user} ({self.created:%Y-%m-%d})"


class ArticleRevision(models.Model):
    """An import that changed an article (or first published it): one entry of the articles feed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    created = models.BooleanField(default=False, help_text="The import that first published the article.")
    imported_at = models.DateTimeField(default=timezone.now)
    # What changed, as sentences for the feed; ``counts`` keeps the figures they came from, which the next
    # revision compares against (parts, references and terms added or removed).
    summary = models.TextField()
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article.slug} version {self.version}"
