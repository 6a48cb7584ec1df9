from django.contrib import admin

from reader.models import (
    AccessToken,
    Article,
    ExternalAnnotation,
    Tag,
    Counterpart,
    CounterpartRejection,
    ReadingPlace,
    Author,
    Block,
    Definition,
    GlossaryTerm,
    Journal,
    Note,
    Occurrence,
    Part,
    Reference,
    ReferenceAuthor,
)


class PartInline(admin.TabularInline):
    model = Part
    fields = ["position", "slug", "title", "kind", "word_count"]
    extra = 0
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "version", "source_name", "imported_at"]
    search_fields = ["title", "slug"]
    readonly_fields = ["source_sha256", "version", "imported_at"]
    inlines = [PartInline]


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["title", "article", "kind", "position", "word_count"]
    list_filter = ["kind", "article"]
    search_fields = ["title", "article__title"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["anchor", "part", "position", "kind", "short_text"]
    list_filter = ["kind", "part__article", "part__slug"]
    search_fields = ["text", "anchor"]
    list_select_related = ["part__article"]
    ordering = ["part__article", "part__position", "position"]

    @admin.display(description="Text")
    def short_text(self, block: Block) -> str:
        return block.text[:90]


class DefinitionInline(admin.StackedInline):
    model = Definition
    fields = ["position", "text", "marked", "block"]
    raw_id_fields = ["block"]
    extra = 0


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article", "definition_count"]
    list_filter = ["article"]
    search_fields = ["name", "key", "definitions__text"]
    inlines = [DefinitionInline]

    @admin.display(description="Definitions")
    def definition_count(self, term: GlossaryTerm) -> int:
        return term.definitions.count()


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["term", "block", "defining"]
    list_filter = ["defining", "term__article"]
    search_fields = ["term__name", "block__text"]
    raw_id_fields = ["block", "term"]


@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["family", "given"]
    search_fields = ["family", "given"]


class ReferenceAuthorInline(admin.TabularInline):
    model = ReferenceAuthor
    extra = 0
    autocomplete_fields = ["author"]


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["position", "short_title", "journal", "year", "parsed", "article"]
    list_filter = ["parsed", "journal", "article"]
    search_fields = ["title", "raw", "authors__family"]
    list_select_related = ["journal", "article"]
    autocomplete_fields = ["journal"]
    inlines = [ReferenceAuthorInline]

    @admin.display(description="Title")
    def short_title(self, reference: Reference) -> str:
        return (reference.title or reference.raw)[:90]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["short_quote", "user", "article", "tier", "status", "created", "deleted_at"]
    list_filter = ["status", "tier", "article"]
    search_fields = ["exact", "body", "user__username"]
    list_select_related = ["user", "article"]
    readonly_fields = ["uuid", "created", "modified"]
    raw_id_fields = ["user"]

    @admin.display(description="Quote")
    def short_quote(self, note: Note) -> str:
        return note.exact[:80]


@admin.register(Counterpart)
class CounterpartAdmin(admin.ModelAdmin):
    """Editors correct the cross-tier links: pin one to keep it through re-imports, delete one to reject it."""

    list_display = ["source", "scope", "target_tier", "target", "score", "pinned"]
    list_editable = ["pinned"]
    list_filter = ["source_block__part__article", "source_block__part__slug", "target_tier", "scope", "pinned"]
    search_fields = ["source_block__text", "target_block__text", "source_block__anchor", "target_block__anchor"]
    raw_id_fields = ["source_block", "target_block"]
    list_select_related = ["source_block__part", "target_block__part"]
    readonly_fields = ["score", "shared_terms"]

    @admin.display(description="Passage")
    def source(self, link: Counterpart) -> str:
        return f"{link.source_block.part.title} · {link.source_block.text[:70]}"

    @admin.display(description="Counterpart")
    def target(self, link: Counterpart) -> str:
        return link.target_block.text[:70]

    def save_model(self, request, obj, form, change):
        # An editor's link is theirs: pin it so the next import keeps it.
        obj.target_tier = obj.target_block.part.slug
        if not change or "target_block" in form.changed_data:
            obj.pinned = True
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        _reject([obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        _reject(list(queryset))
        super().delete_queryset(request, queryset)


def _reject(links) -> None:
    CounterpartRejection.objects.bulk_create(
        [CounterpartRejection(source_block_id=l.source_block_id, target_block_id=l.target_block_id, scope=l.scope) for l in links],
        ignore_conflicts=True,
    )


@admin.register(CounterpartRejection)
class CounterpartRejectionAdmin(admin.ModelAdmin):
    list_display = ["source_block", "target_block", "scope", "created"]
    raw_id_fields = ["source_block", "target_block"]


@admin.register(ReadingPlace)
class ReadingPlaceAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "tier", "anchor", "updated"]
    raw_id_fields = ["user"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "key"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]


@admin.register(ExternalAnnotation)
class ExternalAnnotationAdmin(admin.ModelAdmin):
    """Annotations of other pages, made through the protocol: shown as stored, never edited here."""

    list_display = ["uuid", "user", "created", "modified", "deleted_at"]
    list_filter = ["deleted_at"]
    readonly_fields = ["uuid", "user", "data", "created", "modified", "deleted_at"]


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their readers (the token itself is shown to them once); admins can only revoke."""

    list_display = ["name", "user", "hint", "created", "last_used"]
    readonly_fields = ["user", "name", "hint", "token_hash", "created", "last_used"]

    def has_add_permission(self, request):
        return False
