"""The one facade that wires store + search + io. The GUI and the CLI are thin fronts on :class:`Library`."""
from vkref.library.library import Library
from vkref.library.results import Hit, SearchPage

__all__ = ["Library", "SearchPage", "Hit"]
