"""Citation keys: reader/citations/keys.py."""

from reader.citations import (
    Citation,
    ascii_fold,
    citation_keys,
    make_key,
    unique_keys,
    with_unique_keys,
)

from .seed_references import SEED


def test_make_key_matches_seed_keys():
    for c in SEED:
        assert make_key(c.authors, c.year, c.title) == c.key


def test_make_key_fallbacks_and_ascii():
    assert make_key((), None, "") == "anonnd"
    assert make_key((("Ødegård-SStrauss", "X."),), 2001, "On the ÆON") == "odegardsstrauss2001aeon"
    assert ascii_fold("Møller Å Łódź") == "Moller A Lodz"
    assert all(ord(ch) < 128 for c in SEED for ch in c.key)


def test_ascii_fold_transliterates_non_latin_names():
    # anyascii covers every script; NFKD alone dropped them and gave "anon".
    assert ascii_fold("Дмитриев") == "Dmitriev"
    assert make_key((("Дмитриев", "А."),), 2010, "Ελλάδα") == "dmitriev2010ellada"


def test_unique_keys_suffixes():
    assert unique_keys(["x2003a", "y", "x2003a", "z"]) == ["x2003aa", "y", "x2003ab", "z"]
    assert unique_keys(["k", "k", "ka"]) == ["kb", "kc", "ka"]
    assert unique_keys(["a", "b"]) == ["a", "b"]


def test_citation_keys_and_with_unique_keys():
    twin = Citation(key="", raw="r", parsed=True, authors=(("Møller", "N."),), year=2009,
                    title="Effects of something else")
    keys = citation_keys([SEED[0], twin])
    assert keys == ["moller2009effectsa", "moller2009effectsb"]
    fixed = with_unique_keys([SEED[0], twin])
    assert [c.key for c in fixed] == keys
    assert fixed[1].title == twin.title
    assert citation_keys(SEED) == [c.key for c in SEED]
