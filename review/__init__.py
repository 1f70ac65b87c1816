"""The review queue: the only code that opens and changes review items."""

from review.queue import (
    ReviewItemView,
    ReviewQueue,
    ReviewStateError,
    item_for_bank_line,
    open_item,
    open_many,
)
from store.reviews import NewReviewItem, ReviewFilter

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
