"""Plain data objects passed between the layers. No database session or Qt object ever leaks out of them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Author:
    family: str
    given: str = ""

    @property
    def display(self) -> str:
        """"Family Initials" as Vancouver style writes it (Iwamoto J)."""
        initials = "".join(p[0] for p in self.given.replace("-", " ").split() if p[:1].isalpha())
        return f"{self.family} {initials}".strip()

    @classmethod
    def parse(cls, text: str) -> "Author":
        if "," in text:
            family, given = text.split(",", 1)
            return cls(family.strip(), given.strip())
        return cls(text.strip())

    def __str__(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass
class Provenance:
    created_at: datetime | None = None
    created_by: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""
    verification: str = "unverified"  # confirmed | partial | reconstructed | unverified
    verification_note: str = ""


@dataclass
class Review:
    id: str
    title: str
    authors: list[Author] = field(default_factory=list)
    journal: str = ""
    journal_abbrev: str = ""
    year: int | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    source_id: str = ""
    type: str = "journal-article"
    summary: str = ""
    keywords: list[str] = field(default_factory=list)
    fulltext: str = ""  # cleaned, in the mark-up of vkref.core.passages
    fulltext_file: str = ""  # the attached file in the library's files/ folder: "<sha256>.<txt|pdf>"
    notes: str = ""
    caution: str = ""
    tags: list[str] = field(default_factory=list)
    verified_fields: list[str] = field(default_factory=list)
    reconstructed_fields: list[str] = field(default_factory=list)
    # identifiers this review also answers to after merges: "doi:...", "pmid:...", "id:...", "source:..."
    aliases: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)  # MeSH headings of an imported record ("Humans", "Rats", ...)
    # facet -> concept ids coded on the review itself (for records without findings, e.g. imported ones);
    # ``suggested`` True while they come from automatic coding (MeSH, keywords, title) and nobody verified them
    concepts: dict[str, list[str]] = field(default_factory=dict)
    concepts_suggested: bool = False
    # publication status (vkref.core.status): "" | retracted | expression-of-concern | corrected
    status: str = ""
    status_date: str = ""  # YYYY-MM-DD (or YYYY-MM, YYYY) of the notice
    status_note: str = ""
    status_notice: str = ""  # the notice's citation or link, as text
    provenance: Provenance = field(default_factory=Provenance)
    version: int = 0  # increased by every change of the record (0: not yet stored)


@dataclass
class Finding:
    id: str
    review_id: str
    statement: str
    section: str = ""
    cited_ref: str = ""
    cited_author: str = ""
    concepts: dict[str, list[str]] = field(default_factory=dict)  # facet -> concept ids, as coded
    dose: str = ""
    duration: str = ""
    sample_size: str = ""
    effect_size: str = ""
    caution: str = ""
    tags: list[str] = field(default_factory=list)
    source_retracted: bool = False  # rests on a primary study that was retracted (a curator's flag)
    provenance: Provenance = field(default_factory=Provenance)
    version: int = 0  # increased by every change of the record (0: not yet stored)
    # where in the review's full text it comes from: {"section", "paragraph", "start", "end", "sentences":
    # [[start, end], ...], "marked": bool}; offsets index Review.fulltext. Derived (not a field of the record:
    # no history, not in exports); "marked" True when a curator chose it, else resolved from the full text
    locator: dict | None = field(default=None, compare=False, metadata={"derived": True})
    # ids of the primary studies (vkref.core.entities.Study) the finding rests on; none: the review's own synthesis
    studies: list[str] = field(default_factory=list)
    # "label first author" of each of those studies, read with the finding for its index document (derived:
    # no history, not in exports)
    study_terms: list[str] = field(default_factory=list, compare=False, metadata={"derived": True})


@dataclass
class Study:
    """A primary study that reviews cite: one record however many reviews cite it, so that findings from
    several reviews can point at the same trial."""

    id: str
    label: str  # short, "Shiraki 2000"
    first_author: str = ""
    year: int | None = None
    design: str = ""  # as the reviews describe it: "randomized trial", "ovariectomized-rat study"
    population: str = ""
    size: str = ""  # where a review gives it: "n=241"
    note: str = ""  # how the study was identified, which reviews cite it under which reference numbers
    version: int = 0
