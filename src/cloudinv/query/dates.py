"""Group-key `date_format`: `year`, `month`, `day` (integers) or a strftime pattern (a string).

Only the directives both dialects and Python render alike are accepted; anything else is an error naming
the directive, never a silently different string.
"""

from __future__ import annotations

from datetime import datetime

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER

PARTS = ("year", "month", "day")
DIRECTIVES = ("Y", "m", "d", "H", "M", "S", "j")

# A parsed pattern: directives as "%Y"..., literal text as itself ("%%" becomes "%").
Pattern = tuple[str, ...]


def parse_pattern(date_format: str, at: str) -> Pattern:
    pieces: list[str] = []
    literal = ""
    index = 0
    while index < len(date_format):
        char = date_format[index]
        if char != "%":
            literal += char
            index += 1
            continue
        directive = date_format[index + 1 : index + 2]
        if directive == "%":
            literal += "%"
        elif directive in DIRECTIVES and directive:
            if literal:
                pieces.append(literal)
            pieces.append("%" + directive)
            literal = ""
        else:
            allowed = " ".join("%" + d for d in DIRECTIVES)
            reason = f"'{date_format}': unsupported directive '%{directive}'; use year, month, day or {allowed}"
            raise ERROR_INVALID_PARAMETER(key=at, reason=reason)
        index += 2
    if literal:
        pieces.append(literal)
    return tuple(pieces)


def check_date_format(date_format: str, at: str) -> None:
    if date_format not in PARTS:
        parse_pattern(date_format, at)


def is_directive(piece: str) -> bool:
    return len(piece) == 2 and piece[0] == "%" and piece[1] in DIRECTIVES


def format_date(value: object, date_format: str) -> object:
    """The key in Python (stages after a JSON step); a value that is not a timestamp reads as missing."""
    if not isinstance(value, datetime):
        return None
    if date_format in PARTS:
        return int(getattr(value, date_format))
    return "".join(value.strftime(p) if is_directive(p) else p for p in parse_pattern(date_format, ""))
