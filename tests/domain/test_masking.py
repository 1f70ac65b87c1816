from __future__ import annotations

import pytest

from arbridge.domain.masking import mask_account


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("DE89 3704 0044 0532 0130 00", "••••3000"),
        ("123456789", "••••6789"),
        ("12345678", "••••"),
        ("", ""),
        (None, ""),
    ],
)
def test_only_the_last_four_digits_of_a_long_number_show(number: str | None, shown: str) -> None:
    assert mask_account(number) == shown
