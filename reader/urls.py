from django.urls import path

from reader import views

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("articles/<slug:slug>/glossary/", views.glossary, name="glossary"),
    path("articles/<slug:slug>/references/", views.references, name="references"),
    path("articles/<slug:slug>/references.bib", views.references_bibtex, name="references-bibtex"),
    path("articles/<slug:slug>/references.ris", views.references_ris, name="references-ris"),
    path("articles/<slug:slug>/references.json", views.references_csl_json, name="references-csl-json"),
    path("articles/<slug:slug>/<slug:tier>/", views.tier, name="tier"),
]
