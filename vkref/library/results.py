"""The search page returned by :meth:`Library.search`; ``to_dict()`` is exactly the JSON of docs/CONTRACT.md, plus
``also_broader`` (docs/CONTRACT.md): findings coded only with a broader concept than one the query names."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Hit:
    kind: str
    id: str
    score: float
    title: str
    text: str
    highlights: list[str]
    source_id: str | None
    review: dict
    facets: dict[str, list[str]]
    # publication status shown with the hit (vkref.core.status): None, or kind, label, date, note, notice, banner
    status: dict | None = None
    # not in the JSON: a review's findings counted by direction (label -> n, in the vocabulary's order)
    findings: dict[str, int] = field(default_factory=dict)
    # in the JSON, last: the primary studies a finding rests on, [{"id", "label"}] ([] for reviews, passages and a
    # review's own synthesis)
    studies: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("findings")
        return out


@dataclass
class Broader:
    """``count`` findings are coded with the broader concept ``label`` but with nothing narrower, so the query's
    ``narrower`` concept did not find them ("also 9 findings coded only Vitamin K2": which vitamin K2 is not
    said). Searching ``query`` with ``filters`` and ``exclude`` added to the page's own lists them."""

    facet: str
    concept: str
    label: str
    narrower: str
    count: int
    query: str
    filters: dict[str, list[str]]
    exclude: dict[str, list[str]]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchPage:
    query: str
    searched_as: str
    suggestion: str | None
    total: int
    elapsed_ms: float
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    mode: str = "all"  # not in the JSON: "all" | "any" | "filters"
    index_state: str = "ready"  # not in the JSON: "ready" | "rebuilding"
    keys: list[str] = field(default_factory=list)  # not in the JSON: every result "kind:id", in order
    undated_outside: int = 0  # not in the JSON: undated records a year range left out (also in searched_as)
    also_broader: list[Broader] = field(default_factory=list)  # in the JSON, after "facets"
    # in the JSON, last: how many findings match and how many distinct primary studies they rest on
    studies: dict[str, int] = field(default_factory=lambda: {"findings": 0, "studies": 0})

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "searched_as": self.searched_as,
            "suggestion": self.suggestion,
            "total": self.total,
            "elapsed_ms": self.elapsed_ms,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "also_broader": [b.to_dict() for b in self.also_broader],
            "studies": dict(self.studies),
        }

    @property
    def studies_line(self) -> str:
        """"9 findings from 5 studies" (the CLI's and the window's wording; empty when no finding matched)."""
        return studies_line(self.studies["findings"], self.studies["studies"])


def studies_line(findings: int, studies: int) -> str:
    if not findings:
        return ""
    return (f"{findings} finding{'s' if findings != 1 else ''} from {studies} "
            f"stud{'ies' if studies != 1 else 'y'}")
