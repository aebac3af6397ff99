"""Every colour the GUI paints, per theme, and the WCAG contrast ratio that keeps each text readable. No Qt here.

``LIGHT`` and ``DARK`` feed the Qt palette and style sheet (:mod:`vkref.ui.theme`), the detail HTML
(:mod:`vkref.ui.render`) and the painted badges (:mod:`vkref.ui.delegates`). ``TEXT_PAIRS`` lists every
(text colour, background colour) pair that occurs on screen; each must reach :data:`MIN_CONTRAST` (WCAG AA for
normal text) in both themes, which ``tests/gui`` checks with :func:`contrast`.
"""
from __future__ import annotations

MIN_CONTRAST = 4.5

LIGHT = {
    "window": "#f4f5f7", "base": "#ffffff", "alt": "#f7f8fa", "text": "#1f2328", "muted": "#6b6b6b",
    "button": "#eceef1", "highlight": "#2f6fb3", "hl_text": "#ffffff", "link": "#1f5fa8", "border": "#d0d4da",
    "chip": "#e3ecf7", "chip_text": "#17406d", "chip_x": "#fbe4e4", "chip_x_text": "#8e1b1b", "tooltip": "#ffffe6",
    "error": "#c62828", "mark": "#ffe98a", "caution": "#fff4e0", "badge_text": "#ffffff",
    "beneficial": "#2e7d32", "no_effect": "#616161", "harmful": "#c62828", "mixed": "#8a5300",
}
DARK = {
    "window": "#202225", "base": "#17181a", "alt": "#1d1f22", "text": "#e6e6e6", "muted": "#9e9e9e",
    "button": "#2c2f33", "highlight": "#2f6cb0", "hl_text": "#ffffff", "link": "#7fb2f0", "border": "#3a3d42",
    "chip": "#1f3550", "chip_text": "#cfe2ff", "chip_x": "#4a1f1f", "chip_x_text": "#ffc9c9", "tooltip": "#2c2f33",
    "error": "#ff8a80", "mark": "#5c4f00", "caution": "#4a3a12", "badge_text": "#ffffff",
    "beneficial": "#2e7d32", "no_effect": "#616161", "harmful": "#b71c1c", "mixed": "#8a5300",
}
DIRECTION_KEYS = {"Beneficial": "beneficial", "No significant effect": "no_effect", "Harmful": "harmful",
                  "Mixed or inconsistent": "mixed"}
DIRECTION_SHORT = {"No significant effect": "No effect", "Mixed or inconsistent": "Mixed"}

TEXT_PAIRS = (  # (text, background) as they meet on screen
    ("text", "base"), ("text", "alt"), ("text", "window"), ("text", "button"), ("text", "tooltip"),
    ("muted", "base"), ("muted", "alt"), ("muted", "window"), ("muted", "button"), ("link", "base"),
    ("link", "window"), ("hl_text", "highlight"), ("chip_text", "chip"), ("chip_x_text", "chip_x"),
    ("error", "base"), ("error", "window"), ("error", "alt"), ("text", "mark"), ("text", "caution"),
    ("badge_text", "beneficial"), ("badge_text", "no_effect"), ("badge_text", "harmful"), ("badge_text", "mixed"),
)


def colours(dark: bool) -> dict[str, str]:
    return DARK if dark else LIGHT


def direction_colour(label: str, dark: bool = False) -> str:
    """The badge background of a direction label (any unknown label gets the neutral grey)."""
    return colours(dark)[DIRECTION_KEYS.get(label, "no_effect")]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """Relative luminance of ``#rrggbb`` as WCAG 2 defines it."""
    h = hex_colour.lstrip("#")
    r, g, b = (_channel(int(h[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
