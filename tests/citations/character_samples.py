"""Non-ASCII text and its expected LaTeX, shared by the LaTeX and pandoc tests."""

# Realistic author names and title words, with characters of every kind the
# encoding treats differently.
NON_ASCII_SAMPLES = [
    # Letters: standard LaTeX2e macros, braced as BibTeX "special characters".
    ("Møller", r"M{\o}ller"),
    ("Bengtsson, B. Å.", r"Bengtsson, B. {\r{A}}."),
    ("Martínez García", r"Mart{\'i}nez Garc{\'i}a"),
    ("Müller-Lüdenscheidt", r'M{\"u}ller-L{\"u}denscheidt'),
    ("Łukasz Wąsowicz", r"{\L}ukasz W{\k{a}}sowicz"),
    ("Győrfi Straße", r"Gy{\H{o}}rfi Stra{\ss}e"),
    ("Æsir œuvre", r"{\AE}sir {\oe}uvre"),
    ("Dvořák Çelik", r"Dvo{\v{r}}{\'a}k {\c{C}}elik"),
    # Letters whose pylatexenc macro is T1-only (pandoc drops it) or approximate.
    ("Guðmundsson Þór", r"Guðmundsson Þ{\'o}r"),
    ("Szűcs", "Szűcs"),
    ("Đoković", r"Đokovi{\'c}"),
    # Typographic punctuation: dash ligatures, quote macros.
    ("a – b — c", "a -- b --- c"),
    ("“q” ‘s’", r"{\textquotedblleft}q{\textquotedblright} {\textquoteleft}s{\textquoteright}"),
    # Symbols without a standard text macro stay UTF-8.
    ("10 µg/kg, TNF-α ∞ 37 °C", "10 µg/kg, TNF-α ∞ 37 °C"),
]
