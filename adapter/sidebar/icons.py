"""The Valuedesk logo as SVG and as PNG (drawn here with zlib, so packaging needs no imaging library)."""

from __future__ import annotations

import functools
import struct
import zlib

BRAND = (15, 118, 110)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" '
    'fill="#0f766e"/><path d="M8 10l8 13 8-13" fill="none" stroke="#fff" stroke-width="3.2" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>\n'
)
# The "V" stroke in the 32-unit design space.
_STROKE = (((8.0, 10.0), (16.0, 23.0)), ((16.0, 23.0), (24.0, 10.0)))
_HALF_WIDTH = 1.6
_CORNER = 7.0


def _distance_to_segment(px: float, py: float, a: tuple, b: tuple) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    cx, cy = ax + t * dx, ay + t * dy
    return ((px - cx) ** 2 + (py - cy) ** 2) ** 0.5


def _inside_rounded_square(x: float, y: float) -> bool:
    cx = min(max(x, _CORNER), 32 - _CORNER)
    cy = min(max(y, _CORNER), 32 - _CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= _CORNER**2


def _pixel(x: float, y: float) -> tuple[int, int, int, int]:
    if not _inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    if any(_distance_to_segment(x, y, a, b) <= _HALF_WIDTH for a, b in _STROKE):
        return (255, 255, 255, 255)
    return (*BRAND, 255)


@functools.lru_cache(maxsize=4)
def logo_png(size: int) -> bytes:
    """The logo as a `size`×`size` RGBA PNG, 2×2 supersampled."""
    scale = 32.0 / size
    offsets = (0.25, 0.75)
    rows = bytearray()
    for row in range(size):
        rows.append(0)  # filter type: none
        for col in range(size):
            samples = [_pixel((col + ox) * scale, (row + oy) * scale) for ox in offsets for oy in offsets]
            rows.extend(sum(s[i] for s in samples) // 4 for i in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
