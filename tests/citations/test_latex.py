"""LaTeX encoding of BibTeX values: reader/citations/latex.py (pylatexenc's table)."""

import pytest
from pylatexenc.latex2text import LatexNodes2Text

from reader.citations.latex import to_latex

from .character_samples import NON_ASCII_SAMPLES

@pytest.mark.parametrize("text, latex", NON_ASCII_SAMPLES)
def test_non_ascii_letters_become_standard_macros(text, latex):
    assert to_latex(text) == latex
    assert LatexNodes2Text().latex_to_text(latex) == text


def test_ascii_specials_and_braces():
    assert to_latex("A & B 100% $5 #1 x_y ~ ^ \\") == (
        r"A \& B 100\% \$5 \#1 x\_y \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    assert to_latex('say "hi" <b>') == r'say "hi" \ensuremath{<}b\ensuremath{>}'
    assert to_latex("balanced {x}") == r"balanced \{x\}"
    # BibTeX counts escaped braces too: an unbalanced one must not be a brace.
    assert to_latex("open { only") == r"open \textbraceleft{} only"
    assert to_latex("  spaced \n out ") == "spaced out"
