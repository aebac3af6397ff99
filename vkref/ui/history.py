"""What the detail pane showed, in order, for Back and Forward (Alt+Left / Alt+Right). No Qt here.

``visit`` records a record shown by the user's choice (a row, a link); going back and forth moves through the
list without recording; a visit after going back drops the forward part, as browsers do.
"""
from __future__ import annotations

LIMIT = 200


class History:
    def __init__(self) -> None:
        self._keys: list[str] = []
        self._at = -1

    def visit(self, key: str) -> None:
        if self._at >= 0 and self._keys[self._at] == key:
            return
        del self._keys[self._at + 1:]
        self._keys.append(key)
        if len(self._keys) > LIMIT:
            del self._keys[0]
        self._at = len(self._keys) - 1

    def can_back(self) -> bool:
        return self._at > 0

    def can_forward(self) -> bool:
        return self._at < len(self._keys) - 1

    def back(self) -> str | None:
        if not self.can_back():
            return None
        self._at -= 1
        return self._keys[self._at]

    def forward(self) -> str | None:
        if not self.can_forward():
            return None
        self._at += 1
        return self._keys[self._at]
