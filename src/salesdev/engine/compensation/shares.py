"""A credit split's share: one parser for every way splits come in (service, import,
engine inputs), so each refuses the same values with the same words."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Final

from salesdev.core.errors import ErrorDetail

SHARE_PLACES: Final[int] = 4
_QUANTUM: Final[Decimal] = Decimal(1).scaleb(-SHARE_PLACES)


def parse_share(value: object, *, location: str, problems: list[ErrorDetail]) -> Decimal | None:
    """``value`` as a share above 0 and at most 1 with at most ``SHARE_PLACES`` places, or
    None with the reason appended to ``problems`` at ``location``. Floats are refused: a
    share must be exact (0.1 is not 0.1 as a float)."""
    if isinstance(value, float | bool) or value is None or value == "":
        problems.append(ErrorDetail(location, f"a share must be a decimal, got {value!r}"))
        return None
    try:
        share = Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(ErrorDetail(location, f"a share must be a decimal, got {value!r}"))
        return None
    if not share.is_finite():
        problems.append(ErrorDetail(location, f"a share must be a finite decimal, got {value!r}"))
        return None
    shown = format(share.normalize(), "f")
    if share <= 0 or share > 1:
        problems.append(
            ErrorDetail(location, f"a share must be above 0 and at most 1, got {shown}")
        )
        return None
    if share != share.quantize(_QUANTUM):
        problems.append(
            ErrorDetail(
                location, f"a share keeps at most {SHARE_PLACES} decimal places, got {shown}"
            )
        )
        return None
    return share.quantize(_QUANTUM)
