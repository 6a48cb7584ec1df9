"""The seven references of content/articles/peptides-insulin-sensitivity.txt, by hand,
plus an unparsed one with LaTeX specials."""

from reader.citations import Citation

JCEM = "The Journal of Clinical Endocrinology & Metabolism"

SEED = [
    Citation(
        key="moller2009effects",
        raw="Møller, N. and J. O. Jørgensen. “Effects of growth hormone on glucose, lipid, and protein metabolism in human subjects.” Endocrine Reviews, vol. 30, no. 2, 2009, pp. 152-77.",
        parsed=True,
        authors=(("Møller", "N."), ("Jørgensen", "J. O.")),
        title="Effects of growth hormone on glucose, lipid, and protein metabolism in human subjects",
        journal="Endocrine Reviews",
        volume="30",
        issue="2",
        year=2009,
        pages="152-77",
    ),
    Citation(
        key="cuneo1998australian",
        raw="Cuneo, R. C. et al. “The Australian Multicentre Trial of Growth Hormone (GH) Treatment in GH-Deficient Adults.” The Journal of Clinical Endocrinology & Metabolism, vol. 83, no. 11, 1998, pp. 3976-85.",
        parsed=True,
        authors=(("Cuneo", "R. C."),),
        et_al=True,
        title="The Australian Multicentre Trial of Growth Hormone (GH) Treatment in GH-Deficient Adults",
        journal=JCEM,
        volume="83",
        issue="11",
        year=1998,
        pages="3976-85",
    ),
    Citation(
        key="moller2000effect",
        raw="Møller, J. et al. “The effect of 30 months of low-dose replacement therapy with recombinant human growth hormone (rhGH) on insulin and C-peptide kinetics, insulin secretion, insulin sensitivity, glucose effectiveness, and body composition in GH-deficient adults.” The Journal of Clinical Endocrinology & Metabolism, vol. 85, no. 11, 2000, pp. 4163-9.",
        parsed=True,
        authors=(("Møller", "J."),),
        et_al=True,
        title="The effect of 30 months of low-dose replacement therapy with recombinant human growth hormone (rhGH) on insulin and C-peptide kinetics, insulin secretion, insulin sensitivity, glucose effectiveness, and body composition in GH-deficient adults",
        journal=JCEM,
        volume="85",
        issue="11",
        year=2000,
        pages="4163-9",
    ),
    Citation(
        key="bramnert2003growth",
        raw="Bramnert, M. et al. “Growth Hormone Replacement Therapy Does Not Increase Insulin Resistance in Abdominally Obese Men With Acquired Growth Hormone Deficiency.” The Journal of Clinical Endocrinology & Metabolism, vol. 88, no. 3, 2003, pp. 1045-51.",
        parsed=True,
        authors=(("Bramnert", "M."),),
        et_al=True,
        title="Growth Hormone Replacement Therapy Does Not Increase Insulin Resistance in Abdominally Obese Men With Acquired Growth Hormone Deficiency",
        journal=JCEM,
        volume="88",
        issue="3",
        year=2003,
        pages="1045-51",
    ),
    Citation(
        key="svensson2003growth",
        raw="Svensson, J. and B. Å. Bengtsson. “Growth Hormone Replacement Therapy and Insulin Sensitivity.” The Journal of Clinical Endocrinology & Metabolism, vol. 88, no. 10, 2003, pp. 4508-10.",
        parsed=True,
        authors=(("Svensson", "J."), ("Bengtsson", "B. Å.")),
        title="Growth Hormone Replacement Therapy and Insulin Sensitivity",
        journal=JCEM,
        volume="88",
        issue="10",
        year=2003,
        pages="4508-10",
    ),
    Citation(
        key="falholt1991effect",
        raw="Falholt, K. et al. “The effect of human growth hormone on insulin-like growth factor I and its binding proteins in insulin-dependent diabetes mellitus.” Diabetologia, vol. 34, no. 5, 1991, pp. 309-14.",
        parsed=True,
        authors=(("Falholt", "K."),),
        et_al=True,
        title="The effect of human growth hormone on insulin-like growth factor I and its binding proteins in insulin-dependent diabetes mellitus",
        journal="Diabetologia",
        volume="34",
        issue="5",
        year=1991,
        pages="309-14",
    ),
    Citation(
        key="stanley2010effects",
        raw="Stanley, T. L. and S. K. Grinspoon. “Effects of growth hormone-releasing hormone on visceral and subcutaneous fat in HIV-infected men with abdominal fat accumulation ∞ a randomized, double-blind, placebo-controlled trial with a an open-label extension.” JAMA, vol. 304, no. 2, 2010, pp. 163-71.",
        parsed=True,
        authors=(("Stanley", "T. L."), ("Grinspoon", "S. K.")),
        title="Effects of growth hormone-releasing hormone on visceral and subcutaneous fat in HIV-infected men with abdominal fat accumulation ∞ a randomized, double-blind, placebo-controlled trial with a an open-label extension",
        journal="JAMA",
        volume="304",
        issue="2",
        year=2010,
        pages="163-71",
    ),
]

UNPARSED = Citation(
    key="ref8",
    raw="Ørsted, H. C. Unstructured note on {braces}, 100% & $5 — see p. 12_b.",
    parsed=False,
)

ALL = SEED + [UNPARSED]

FULL_PAGES = {
    "moller2009effects": ("152", "177"),
    "cuneo1998australian": ("3976", "3985"),
    "moller2000effect": ("4163", "4169"),
    "bramnert2003growth": ("1045", "1051"),
    "svensson2003growth": ("4508", "4510"),
    "falholt1991effect": ("309", "314"),
    "stanley2010effects": ("163", "171"),
}
