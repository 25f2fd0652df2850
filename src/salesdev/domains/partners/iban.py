"""Bank identifiers: IBAN (ISO 13616, checked with its mod-97 check digits) and BIC (ISO 9362)."""

from __future__ import annotations

import re

from salesdev.core.errors import InvalidInput

_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_BIC_SHAPE = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")


def parse_iban(raw: object) -> str:
    """The IBAN in its electronic form (upper case, no spaces), or InvalidInput saying why not.

    The check digits catch every single mistyped character and most swapped pairs, so a
    wrong IBAN is refused here instead of bouncing a partner's payout weeks later.
    """
    text = re.sub(r"\s+", "", raw).upper() if isinstance(raw, str) else ""
    if not _IBAN_SHAPE.fullmatch(text):
        raise InvalidInput(
            "expected an IBAN: a country code, 2 check digits and 11 to 30 letters or digits; "
            f"got {raw!r}"
        )
    if iban_remainder(text) != 1:
        raise InvalidInput(f"the IBAN's check digits do not match (mod 97); got {raw!r}")
    return text


def iban_remainder(iban: str) -> int:
    """ISO 13616: move the first four characters to the end, letters become 10..35, mod 97."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97


def parse_bic(raw: object) -> str:
    text = raw.strip().upper() if isinstance(raw, str) else ""
    if not _BIC_SHAPE.fullmatch(text):
        raise InvalidInput(
            f"expected a BIC of 8 or 11 letters and digits, like DEUTDEFF or DEUTDEFF500; got {raw!r}"
        )
    return text
