"""Every review reason has words a clerk reads (never a bare code on the page)."""

from arbridge.domain.review import ReviewReason
from arbridge.web.labels import REASONS, reason_label


def test_every_reason_has_its_own_words() -> None:
    assert set(REASONS) == set(ReviewReason)
    assert all(reason_label(r.value) != r.value for r in ReviewReason)
