"""The parts of the :class:`~vkref.library.Library` facade, one mixin class per job.

``library.py`` keeps opening, closing, the library's state and the composition; each module here holds the thin
methods of one job and delegates to that job's own module in ``vkref/library/`` (a new job: a new module here,
one more base of ``Library``). No logic lives here; the fronts still see one class.
"""
from __future__ import annotations

from typing import Callable

Progress = Callable[[int, int], None]
