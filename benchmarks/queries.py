"""The fixed query mix of the benchmark: (class, query, filters). Filters use display labels or synonyms."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BenchQuery:
    cls: str
    text: str
    filters: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        f = "; ".join(f"{k}={'|'.join(v)}" for k, v in self.filters.items())
        return (self.text or "(empty)") + (f" [{f}]" if f else "")


def _q(cls, text, **filters):
    return BenchQuery(cls, text, {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in filters.items()})


HUMAN_RCT_GOOD = {"species": "Human", "evidence": "Randomized controlled trial", "direction": "Beneficial"}

QUERIES: list[BenchQuery] = [
    # single terms: common (thousands of hits at 100k) and rare (a handful)
    _q("term-common", "bone"), _q("term-common", "patients"), _q("term-common", "serum"),
    _q("term-common", "treatment"),
    _q("term-rare", "histomorphometry"), _q("term-rare", "epilepsy"), _q("term-rare", "dialysis"),
    _q("term-rare", "crosslinks"),
    # two- and three-word AND
    _q("and-2", "patients therapy"), _q("and-2", "dose weeks"), _q("and-2", "placebo compliance"),
    _q("and-2", "trabecular tomography"),
    _q("and-3", "serum markers baseline"), _q("and-3", "elderly women falls"),
    _q("and-3", "dose dependent inhibition"), _q("and-3", "trabecular cortical strength"),
    # phrases
    _q("phrase", '"bone loss"'), _q("phrase", '"randomized trial"'), _q("phrase", '"cortical bone"'),
    _q("phrase", '"mineral density"'),
    # vocabulary expansion (synonyms and descendants)
    _q("synonym", "menatetrenone"), _q("synonym", "OVX"), _q("synonym", "bisphosphonate"), _q("synonym", "MK-7"),
    _q("synonym", "alfacalcidol vertebral fracture"),
    # one active filter
    _q("filter-1", "bone", species="Rat"), _q("filter-1", "menatetrenone", evidence="Randomized controlled trial"),
    _q("filter-1", "fracture", direction="Beneficial"), _q("filter-1", "calcium", agent="Vitamin K2"),
    # three active filters
    _q("filter-3", "bone", **HUMAN_RCT_GOOD), _q("filter-3", "menatetrenone", **HUMAN_RCT_GOOD),
    _q("filter-3", "serum markers", species="Rat", population="Ovariectomized rats", outcome="Bone mineral density"),
    _q("filter-3", '"bone loss"', species="Human", agent="MK-4", outcome="Vertebral fracture"),
    # empty query with filters
    _q("empty+filters", "", species="Human"), _q("empty+filters", "", agent="MK-4", outcome="Vertebral fracture"),
    _q("empty+filters", "", **HUMAN_RCT_GOOD),
]

SMALL_QUERIES = [q for i, q in enumerate(QUERIES) if i % 4 == 0]  # CI: one of each kind or so

AS_YOU_TYPE = "vitamin k2 vertebral fracture"

CLASSES = list(dict.fromkeys(q.cls for q in QUERIES))
