"""The review queue: the only code that opens and changes review items."""

from arbridge.review.queue import (
    ReviewItemView,
    ReviewQueue,
    ReviewStateError,
    item_for_bank_line,
    open_item,
    open_many,
)
from arbridge.store.reviews import NewReviewItem, ReviewFilter

__all__ = [
    "NewReviewItem",
    "ReviewFilter",
    "ReviewItemView",
    "ReviewQueue",
    "ReviewStateError",
    "item_for_bank_line",
    "open_item",
    "open_many",
]
