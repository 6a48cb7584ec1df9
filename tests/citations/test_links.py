"""Search links: reader/citations/links.py."""

from urllib.parse import parse_qs, urlsplit

from reader.citations import pubmed_search_url, scholar_search_url

from .seed_references import SEED, UNPARSED


def test_pubmed_search_url():
    url = pubmed_search_url(SEED[1])
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "pubmed.ncbi.nlm.nih.gov", "/")
    assert " " not in url and "[" not in url and "(" not in url
    assert parse_qs(parts.query) == {"term": [SEED[1].title + "[Title]"]}


def test_pubmed_search_url_non_ascii_and_unparsed():
    q = parse_qs(urlsplit(pubmed_search_url(SEED[6])).query)
    assert q["term"] == [SEED[6].title + "[Title]"]
    assert "%E2%88%9E" in pubmed_search_url(SEED[6])  # ∞, UTF-8 percent-encoded
    q = parse_qs(urlsplit(pubmed_search_url(UNPARSED)).query)
    assert q["term"] == [UNPARSED.raw]


def test_scholar_search_url():
    url = scholar_search_url(SEED[0])
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("scholar.google.com", "/scholar")
    assert '"' not in url and " " not in url
    assert parse_qs(parts.query) == {"q": [f'"{SEED[0].title}" Møller']}
    amp = parse_qs(urlsplit(scholar_search_url(UNPARSED)).query)
    assert amp == {"q": [UNPARSED.raw]}  # "&" in the query did not split it
