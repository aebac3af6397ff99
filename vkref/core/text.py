"""Text folding shared by the search analyzer and vocabulary look-ups.

Folding makes spelling variants meet: Greek letters become their Latin names or letters (κ→k, α→alpha,
β→beta, γ→gamma), the micro sign and μ become u (μg = ug), accents are dropped (é→e) and case is folded.
Both the index and every query go through the same function, so NF-κB, NF-kB and nfkb meet.
"""
from __future__ import annotations

import re
import unicodedata

# Greek letters that appear in biomedical names. Single-letter names (kappa in NF-κB) fold to the Latin letter
# people type instead; the rest fold to their spelled-out name as in "1alpha-hydroxyvitamin D3".
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "i", "κ": "k", "λ": "lambda", "μ": "u", "µ": "u", "ν": "nu", "ξ": "xi", "ο": "o",
    "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "u", "φ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega",
}
_GREEK.update({k.upper(): v for k, v in list(_GREEK.items()) if k.upper() != k})
_GREEK_RE = re.compile("|".join(map(re.escape, sorted(_GREEK, key=len, reverse=True))))
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case ``text`` and fold Greek letters, the micro sign and accents to plain ASCII letters."""
    text = _GREEK_RE.sub(lambda m: _GREEK[m.group(0)], text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


def norm_label(text: str) -> str:
    """A key for comparing labels and synonyms: folded, hyphens and punctuation removed, spaces collapsed.

    "MK-4", "mk 4" and "MK4" give the same key ("mk4"); "NF-κB" and "nf-kb" give "nfkb".
    """
    text = fold(text)
    text = re.sub(r"(?<=[a-z0-9])[-‐‑–/](?=[a-z0-9])", "", text)
    text = re.sub(r"(?<=[a-z])\s+(?=\d+$)", "", text)  # "mk 4" -> "mk4" at the end of a label
    text = re.sub(r"[^\w()., ]+", " ", text)
    return _SPACES.sub(" ", text).strip()
