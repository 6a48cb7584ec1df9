from django.urls import include, path

from reader.annotations import views as annotations
from reader.views import concepts, feeds, notes, preferences, reading, tokens

urlpatterns = [
    path("", reading.home, name="home"),
    # Personal access tokens for the annotation protocol (the other account pages are in account_urls.py).
    path("accounts/tokens/", tokens.tokens, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("accounts/tokens/feed/reset/", tokens.feed_key_reset, name="feed-key-reset"),
    # Atom feeds: the reader's notes at a secret address (feed readers send no credentials), and article updates.
    path("feeds/notes/<str:key>/", feeds.notes_feed, name="feed-notes"),
    path("feeds/articles/", feeds.articles_feed, name="feed-articles"),
    path("accounts/preferences/single-keys/", preferences.single_key_shortcuts, name="single-keys-preference"),
    path("notes/", notes.my_notes, name="my-notes"),
    path("notes/export.md", notes.export_markdown, name="notes-export-md"),
    path("notes/export.jsonld", notes.export_jsonld, name="notes-export-jsonld"),
    # A note's old id: redirects to its annotation, /annotations/<uuid>.
    path("notes/<uuid:note_uuid>/", annotations.note_redirect, name="note-detail"),
    path("notes/<uuid:note_uuid>/edit/", notes.note_edit_form, name="note-edit"),
    path("notes/<uuid:note_uuid>/card/", notes.note_card, name="note-card"),
    path("notes/<uuid:note_uuid>/update/", notes.note_update, name="note-update"),
    path("notes/<uuid:note_uuid>/delete/", notes.note_delete, name="note-delete"),
    path("notes/<uuid:note_uuid>/restore/", notes.note_restore, name="note-restore"),
    path("notes/<uuid:note_uuid>/reattach/", notes.note_reattach, name="note-reattach"),
    # The W3C Web Annotation Protocol: the reader's annotation container and each annotation (no trailing slash).
    path("annotations/", annotations.container, name="annotations"),
    path("annotations/<uuid:annotation_uuid>", annotations.annotation, name="annotation"),
    path("articles/<slug:slug>/", reading.article, name="article"),
    path("articles/<slug:slug>/glossary/", reading.glossary, name="glossary"),
    path("articles/<slug:slug>/glossary/<slug:term>/", concepts.concept, name="concept"),
    path("articles/<slug:slug>/place/", reading.place_save, name="place-save"),
    path("articles/<slug:slug>/notes/export.md", notes.export_article_markdown, name="article-notes-export-md"),
    path("articles/<slug:slug>/references/", reading.references, name="references"),
    path("articles/<slug:slug>/references.bib", reading.references_download, {"extension": "bib"}, name="references-bibtex"),
    path("articles/<slug:slug>/references.ris", reading.references_download, {"extension": "ris"}, name="references-ris"),
    path("articles/<slug:slug>/references.json", reading.references_download, {"extension": "json"}, name="references-csl-json"),
    path("articles/<slug:slug>/<slug:tier>/notes/", notes.note_create, name="note-create"),
    path("articles/<slug:slug>/<slug:tier>/notes/cards/", notes.note_cards, name="note-cards"),
    path("articles/<slug:slug>/<slug:tier>/", reading.tier, name="tier"),
    # "Go deeper" / "Simpler": a passage's counterpart at another depth; <anchors> are its blocks, comma-separated.
    path("articles/<slug:slug>/<slug:tier>/depth/<str:anchors>/<slug:target>/", reading.depth_passage, name="depth-passage"),
]
