"""A folder of processor report files (Stripe itemized payout reconciliation, ...)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from arbridge.connectors.errors import PermanentConnectorError
from arbridge.connectors.settlement.stripe_report import read_stripe_report
from arbridge.connectors.settlement_base import SettlementBatch
from arbridge.domain.errors import BadInputError
from arbridge.domain.settlements import Payout

ReportReader = Callable[[str, bytes], list[Payout]]
READERS: dict[str, ReportReader] = {"stripe": read_stripe_report}
"""The report reader of each processor whose reports come as files."""


class SettlementFolderSource:
    """Reads every report file in a folder once (by content hash); a bad file is refused whole."""

    def __init__(
        self,
        *,
        name: str,
        processor: str,
        path: Path,
        descriptors: tuple[str, ...],
        pattern: str = "*.csv",
    ) -> None:
        self._name = name
        self._processor = processor
        self._path = path
        self._descriptors = descriptors
        self._pattern = pattern
        self._read = READERS[processor]

    @property
    def name(self) -> str:
        """The source's configured name."""
        return self._name

    @property
    def processor(self) -> str:
        """The processor whose reports these are."""
        return self._processor

    @property
    def descriptors(self) -> tuple[str, ...]:
        """Bank text that marks this processor's deposits."""
        return self._descriptors

    def batches(self, known: Callable[[str], bool]) -> Iterator[SettlementBatch]:
        """One batch per report file not read before, in name order."""
        if not self._path.is_dir():
            raise PermanentConnectorError(self._name, f"report folder {self._path} does not exist")
        for path in sorted(self._path.glob(self._pattern)):
            if not path.is_file() or path.name.startswith("."):
                continue
            data = path.read_bytes()
            fingerprint = hashlib.sha256(data).hexdigest()
            if known(fingerprint):
                continue
            try:
                payouts = self._read(str(path), data)
            except BadInputError as exc:
                yield SettlementBatch(label=str(path), fingerprint=fingerprint, error=str(exc))
            else:
                yield SettlementBatch(label=str(path), fingerprint=fingerprint, payouts=payouts)

    def put_away(self, batch: SettlementBatch) -> None:
        """Report files stay where they are; the store remembers each by its hash."""
