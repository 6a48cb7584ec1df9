"""The sidecar's bibliographic keys (reader.metadata.article_metadata_validate), through the import_article
command and the import service: checked before anything is written, stored as given, never invented."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reader.metadata import ArticleMetadata, MetadataError, article_metadata_validate
from reader.models import Article
from reader.services.articles import article_import

pytestmark = pytest.mark.django_db

MINIMAL = "Fundamentals\nOne sentence here.\nIntermediate\nTwo sentences here.\nAcademic\nThree sentences here.\n"
FULL = {
    "authors": [{"family": "Gómez", "given": "Ana María"}, {"family": "World Sleep Society"}],
    "date": "2024-03-05",
    "publisher": "Sleep & Light",
    "doi": "10.5555/vitd.sleep.2024",
    "language": "en-GB",
}


def run_import(path) -> tuple[str, CommandError | None]:
    err = StringIO()
    try:
        call_command("import_article", str(path), stdout=StringIO(), stderr=err)
    except CommandError as error:
        return err.getvalue(), error
    return err.getvalue(), None


def write(path, **sidecar):
    path.write_text(MINIMAL, encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps({"title": "Sidecar test", **sidecar}), encoding="utf-8")
    return path


def stored(slug="article") -> dict:
    return Article.objects.values("authors", "publication_date", "publisher", "doi", "language").get(slug=slug)


def test_every_key_is_stored_as_given(tmp_path):
    _, error = run_import(write(tmp_path / "article.txt", **FULL))
    assert error is None
    assert stored() == {
        "authors": [{"family": "Gómez", "given": "Ana María"}, {"family": "World Sleep Society", "given": ""}],
        "publication_date": "2024-03-05", "publisher": "Sleep & Light", "doi": "10.5555/vitd.sleep.2024", "language": "en-GB",
    }


def test_keys_left_out_or_null_are_stored_as_unknown(tmp_path):
    _, error = run_import(write(tmp_path / "article.txt", language="en", doi=None))
    assert error is None
    assert stored() == {"authors": [], "publication_date": "", "publisher": "", "doi": "", "language": "en"}


@pytest.mark.parametrize("date", ["2024", "2024-02", "2024-02-29"])
def test_a_year_a_month_or_a_day_is_a_date(date):
    assert article_metadata_validate({"date": date}).date == date


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        ({"authors": "Jane Doe"}, "'authors' must be a list of names like"),
        ({"authors": ["Jane Doe"]}, "'authors[0]' must be an object with \"family\""),
        ({"authors": [{"given": "Jane"}]}, "'authors[0]' must be an object with \"family\""),
        ({"authors": [{"family": "Doe", "middle": "Q"}]}, "'authors[0]' must be an object"),
        ({"authors": [{"family": " "}]}, "'authors[0].family' is empty"),
        ({"authors": [{"family": "Doe", "given": 3}]}, "'authors[0].given' must be a string, not int"),
        ({"authors": [{"family": "Do\u202ee"}]}, "'authors[0].family' contains a control or formatting character"),
        ({"date": "05/03/2024"}, "'date' must be an ISO 8601 date as a string: YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"date": 2024}, "'date' must be an ISO 8601 date"),
        ({"date": "2023-02-29"}, "'date' '2023-02-29' is not a date in the calendar"),
        ({"publisher": ""}, "'publisher' is empty: leave the key out when it is not known"),
        ({"publisher": "p" * 201}, "'publisher' is 201 characters long; at most 200"),
        ({"publisher": "Two\nlines"}, "'publisher' contains a control or formatting character"),
        ({"doi": "https://doi.org/10.1000/xyz"}, "'doi' must be a bare DOI such as 10.1000/xyz123"),
        ({"doi": "10.12/too-short-prefix"}, "'doi' must be a bare DOI"),
        ({"language": "English"}, "'language' must be a BCP 47 language tag such as en or en-GB"),
        ({"language": "en_GB"}, "'language' must be a BCP 47 language tag"),
        ({"author": [{"family": "Doe"}]}, "unknown key(s) 'author'; a sidecar may give title, slug, authors"),
    ],
)
def test_a_bad_value_is_refused_with_its_reason_and_nothing_changes(tmp_path, sidecar, expected):
    source = write(tmp_path / "article.txt", language="en")
    assert run_import(source)[1] is None
    before = list(Article.objects.values())
    write(source, **sidecar)
    err, error = run_import(source)
    assert error is not None
    assert f"{source.with_suffix('.json')}: not imported, nothing was changed:" in err
    assert expected in err
    assert list(Article.objects.values()) == before


def test_every_problem_is_named_at_once():
    with pytest.raises(MetadataError) as caught:
        article_metadata_validate({"date": "soon", "doi": "x", "language": "?"})
    assert [problem.split(" ", 1)[0] for problem in caught.value.problems] == ["'date'", "'doi'", "'language'"]


def test_a_sidecar_change_alone_renews_the_article(tmp_path):
    source = write(tmp_path / "article.txt", language="en")
    run_import(source)
    version = Article.objects.get(slug="article").version
    run_import(source)  # unchanged: nothing to renew
    assert Article.objects.get(slug="article").version == version
    write(source, language="en", publisher="Tiered Reader")
    run_import(source)
    article = Article.objects.get(slug="article")
    assert (article.version, article.publisher) == (version + 1, "Tiered Reader")
    write(source)  # the keys removed: stored as unknown again
    run_import(source)
    assert stored() == {"authors": [], "publication_date": "", "publisher": "", "doi": "", "language": ""}


def test_the_service_keeps_the_metadata_when_given_none():
    article_import(source=MINIMAL, slug="kept", title="Kept", metadata=ArticleMetadata(language="en"))
    article_import(source=MINIMAL + "\n", slug="kept", title="Kept")
    assert Article.objects.get(slug="kept").language == "en"
