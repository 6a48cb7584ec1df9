from django.contrib import admin

from reader.models import (
    Article,
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
