"""Decode the QR code a page actually serves: rasterise segno's SVG path, then read it with zxing-cpp."""

from __future__ import annotations

import re

import pytest

_TOKEN = re.compile(r"([MmHhVvZz])\s*(-?[\d.]+)?(?:[ ,](-?[\d.]+))?")


def rasterise(svg: str, scale: int = 4) -> memoryview:
    """A greyscale bitmap (one byte per pixel) of the dark modules drawn by a segno SVG.

    segno draws each run of dark modules as a horizontal stroke: "M x y.5 h n" then relative "m dx dy h n".
    """
    width, height = (int(float(v)) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    path = re.search(r'<path[^>]*stroke="#000"[^>]*\sd="([^"]+)"', svg).group(1)
    pixels = bytearray([255]) * (width * scale * height * scale)
    x = y = 0.0
    for cmd, a, b in _TOKEN.findall(path):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        elif cmd == "h":
            row, start, end = int(y), int(x), int(x + float(a))
            for py in range(row * scale, (row + 1) * scale):
                for px in range(start * scale, end * scale):
                    pixels[py * width * scale + px] = 0
            x += float(a)
        else:
            raise AssertionError(f"unexpected SVG path command {cmd!r}")
    return memoryview(pixels).cast("B", (height * scale, width * scale))


def decode_svg(svg: str) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="pip install -e '.[test]' installs zxing-cpp")
    return [barcode.text for barcode in zxingcpp.read_barcodes(rasterise(svg))]
