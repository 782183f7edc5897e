"""Plain-text tables for the demo commands: Chinese characters take two terminal columns."""

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def table(headers: list[str], rows: list[list[str]], *, indent: str = "") -> str:
    cells = [headers, *rows]
    widths = [max(width(str(row[i])) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(pad(str(c), w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(indent + line for line in lines)
