"""The built-in signal types can be told apart in the dashboard chart and read as text on white."""

from itertools import combinations

from adapter.signals.taxonomy import DEFAULT_TYPES


def _rgb(color: str) -> tuple[float, ...]:
    return tuple(int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _luminance(color: str) -> float:
    return sum(w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
               for w, c in zip((0.2126, 0.7152, 0.0722), _rgb(color), strict=True))


def _distance(a: str, b: str) -> float:
    """A redmean approximation of how different two colours look (0 to about 765)."""
    (r1, g1, b1), (r2, g2, b2) = (tuple(255 * c for c in _rgb(x)) for x in (a, b))
    mean = (r1 + r2) / 2
    return ((2 + mean / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - mean) / 256) * (b1 - b2) ** 2) ** 0.5


def test_every_pair_of_type_colours_is_easy_to_tell_apart():
    close = [(a[1], b[1]) for a, b in combinations(DEFAULT_TYPES, 2) if _distance(a[3], b[3]) < 100]
    assert close == []


def test_every_type_colour_reads_on_white_at_wcag_aa():
    assert all((1.05 / (_luminance(color) + 0.05)) >= 4.5 for *_, color in DEFAULT_TYPES)
