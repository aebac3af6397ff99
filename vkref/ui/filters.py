"""The active filters of the main window as plain data (no Qt): facet values to include or exclude, a year range.

Values are display labels, exactly what ``Library.search(filters=..., exclude=...)`` accepts. A value is either
included, excluded or neither; several included values of one facet are ORed, facets are ANDed (the facade
does that; this class only keeps the state).
"""
from __future__ import annotations

from dataclasses import dataclass, field

FACET_TITLES = {
    "species": "Species", "evidence": "Evidence", "direction": "Direction of effect", "agent": "Agent",
    "outcome": "Outcome", "population": "Population", "kind": "Record type", "review": "Source review",
    "year": "Year",
}
PANEL_ORDER = ("species", "evidence", "direction", "agent", "outcome", "population", "kind", "review", "year")
KIND_LABELS = {"finding": "Findings", "review": "Reviews", "passage": "Full-text passages"}


def value_title(facet: str, label: str) -> str:
    return KIND_LABELS.get(label, label) if facet == "kind" else label


@dataclass
class Filters:
    include: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None

    def state(self, facet: str, label: str) -> str | None:
        if label in self.include.get(facet, ()):
            return "include"
        if label in self.exclude.get(facet, ()):
            return "exclude"
        return None

    def set(self, facet: str, label: str, state: str | None) -> None:
        """Put ``label`` in ``state`` ("include", "exclude" or None), leaving the other list."""
        for which, values in (("include", self.include), ("exclude", self.exclude)):
            current = values.get(facet, [])
            if which == state and label not in current:
                values[facet] = current + [label]
            elif which != state and label in current:
                current = [v for v in current if v != label]
                if current:
                    values[facet] = current
                else:
                    values.pop(facet, None)

    def chips(self) -> list[tuple[str, str, bool]]:
        """(facet, label, excluded) for every active value, in panel order."""
        out = []
        for facet in PANEL_ORDER:
            out += [(facet, v, False) for v in self.include.get(facet, ())]
            out += [(facet, v, True) for v in self.exclude.get(facet, ())]
        return out

    def clear(self) -> None:
        self.include.clear()
        self.exclude.clear()
        self.year_from = self.year_to = None

    def is_empty(self) -> bool:
        return not self.include and not self.exclude and self.year_from is None and self.year_to is None
