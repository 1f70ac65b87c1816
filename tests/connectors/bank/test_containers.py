"""ZIP and gzip statements: read member by member, bombs and path tricks refused."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from arbridge.connectors.bank import (
    ContainerLimits,
    FolderBankSource,
    collect_notes,
    open_container,
    read_statement,
)
from arbridge.domain.errors import BadInputError
from tests.connectors.bank.golden import DATA

CAMT = (DATA / "camt053" / "camt053_v02_simple.xml").read_bytes()
BAD_CAMT = (DATA / "camt053" / "bad_amount.xml").read_bytes()
BAI2 = (DATA / "bai2" / "prior_day_single.bai").read_bytes()


def _zip(members: dict[str, bytes], *, encrypt: str = "", link: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == link:
                info.external_attr = 0o120777 << 16
            archive.writestr(info, data)
    packed = bytearray(buffer.getvalue())
    if encrypt:  # zipfile cannot encrypt: set the flag in the local and central headers
        packed[6] |= 0x1
        packed[packed.index(b"PK\x01\x02") + 8] |= 0x1
    return bytes(packed)


def _refused(tmp_path: Path, data: bytes, limits: ContainerLimits | None = None) -> str:
    path = tmp_path / "in.zip"
    with pytest.raises(BadInputError) as info:
        open_container(path, data, limits or ContainerLimits())
    assert info.value.locations[0].file == str(path)
    return str(info.value)


def test_each_member_is_read_as_its_own_file(tmp_path: Path) -> None:
    """Lines of every member, each naming `archive.zip!member` as its file."""
    path = tmp_path / "statements.zip"
    path.write_bytes(_zip({"a.xml": CAMT, "sub/b.bai": BAI2}))
    lines = read_statement(path, account="acct", currency="USD", csv_profile=None)
    files = [line.source_file for line in lines]
    assert files[0] == f"{path}!a.xml"
    assert files[-1] == f"{path}!sub/b.bai"
    assert len(lines) == 6


def test_a_bad_member_is_named_with_its_line(tmp_path: Path) -> None:
    """The error names `archive.zip!member.xml:LINE`."""
    path = tmp_path / "statements.zip"
    path.write_bytes(_zip({"good.xml": CAMT, "bad.xml": BAD_CAMT}))
    with pytest.raises(BadInputError) as info:
        read_statement(path, account="acct", currency="USD", csv_profile=None)
    assert str(info.value).startswith(f"{path}!bad.xml:35")


def test_a_pdf_beside_the_statements_is_skipped_with_a_note(tmp_path: Path) -> None:
    """Banks zip the printed statement with the camt file: the PDF is noted, not read."""
    path = tmp_path / "statements.zip"
    path.write_bytes(_zip({"a.xml": CAMT, "a.pdf": b"%PDF-1.7 ..."}))
    with collect_notes() as notes:
        lines = read_statement(path, account="acct", currency="USD", csv_profile=None)
    assert len(lines) == 3
    assert [n.field for n in notes] == ["a.pdf"]


def test_gzip_is_read(tmp_path: Path) -> None:
    """A gzip statement reads as the statement it holds, named `file.gz!file`."""
    path = tmp_path / "day.bai.gz"
    path.write_bytes(gzip.compress(BAI2))
    lines = read_statement(path, account="acct", currency="USD", csv_profile=None)
    assert [line.source_file for line in lines] == [f"{path}!day.bai"] * 3


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/passwd.xml", "C:/x.xml", "a\\..\\b.xml", "a/../../b.xml", "a//b"]
)
def test_path_tricks_are_refused(tmp_path: Path, name: str) -> None:
    """Absolute names, `..`, drives and backslashes refuse the archive, naming the member."""
    message = _refused(tmp_path, _zip({"ok.xml": CAMT, name: CAMT}))
    assert "path trick" in message
    assert repr(name) in message


def test_links_and_encrypted_members_are_refused(tmp_path: Path) -> None:
    """A symbolic link or an encrypted member is never read."""
    assert "symbolic link" in _refused(tmp_path, _zip({"l.xml": b"/etc/passwd"}, link="l.xml"))
    assert "encrypted" in _refused(tmp_path, _zip({"e.xml": CAMT}, encrypt="e.xml"))


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    """8 MiB of zeros packed into a few KiB expands past 200:1: refused, not inflated."""
    message = _refused(tmp_path, _zip({"bomb.xml": b"\0" * (8 << 20)}))
    assert "200:1" in message
    assert "bomb" in message


def test_size_and_member_limits(tmp_path: Path) -> None:
    """A member past the size limit, or too many members, refuse the archive."""
    small = ContainerLimits(max_member_bytes=1000)
    assert "size limit" in _refused(tmp_path, _zip({"big.xml": CAMT}), small)
    few = ContainerLimits(max_members=2)
    members = {f"m{i}.xml": CAMT for i in range(3)}
    assert "more than the limit of 2" in _refused(tmp_path, _zip(members), few)
    total = ContainerLimits(max_total_bytes=len(CAMT) + 10)
    assert "size limit" in _refused(tmp_path, _zip({"a.xml": CAMT, "b.xml": CAMT}), total)


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    """The gzip stream is inflated in chunks and stopped at the ratio."""
    path = tmp_path / "bomb.xml.gz"
    with pytest.raises(BadInputError, match="bomb"):
        open_container(path, gzip.compress(b"\0" * (8 << 20)))


def test_nested_archives_and_tar_are_refused(tmp_path: Path) -> None:
    """An archive inside an archive is not opened."""
    assert "itself an archive" in _refused(tmp_path, _zip({"inner.zip": _zip({"a.xml": CAMT})}))
    tar = bytearray(1024)
    tar[257:262] = b"ustar"
    with pytest.raises(BadInputError, match="tar or zip"):
        open_container(tmp_path / "x.tar.gz", gzip.compress(bytes(tar)))


def test_damaged_archives_are_rejected(tmp_path: Path) -> None:
    """A truncated ZIP or gzip is a bad file, not a crash."""
    assert "ZIP" in _refused(tmp_path, _zip({"a.xml": CAMT})[:40])
    with pytest.raises(BadInputError, match="truncated"):
        open_container(tmp_path / "x.gz", gzip.compress(CAMT)[:-30])


def _source(folder: Path) -> FolderBankSource:
    return FolderBankSource(
        name="bank", path=folder, currency="EUR", csv_profile=None, move_files=True
    )


def test_folder_yields_members_as_files_and_puts_them_away(tmp_path: Path) -> None:
    """Each member has its own hash; a bad one goes to quarantine, then the archive is archived."""
    (tmp_path / "day.zip").write_bytes(_zip({"good.xml": CAMT, "bad.xml": BAD_CAMT}))
    source = _source(tmp_path)
    files = list(source.list_files())
    assert [f.path.name for f in files] == ["day.zip!good.xml", "day.zip!bad.xml"]
    assert len({f.sha256 for f in files}) == 2
    good, bad = files
    assert len(source.read(good)) == 3
    source.archive(good)
    assert (tmp_path / "day.zip").exists()  # a member is still waiting
    with pytest.raises(BadInputError):
        source.read(bad)
    source.quarantine(bad, "amount is not a number")
    assert (tmp_path / "quarantine" / "day.zip!bad.xml").read_bytes() == BAD_CAMT
    note = (tmp_path / "quarantine" / "day.zip!bad.xml.error.txt").read_text(encoding="utf-8")
    assert "amount is not a number" in note
    assert (tmp_path / "archive" / "day.zip").exists()
    assert not (tmp_path / "day.zip").exists()


def test_the_same_member_in_two_archives_has_one_hash(tmp_path: Path) -> None:
    """Dedupe is by the member's content, whatever archive brings it."""
    (tmp_path / "a.zip").write_bytes(_zip({"s.xml": CAMT}))
    (tmp_path / "b.zip").write_bytes(_zip({"again.xml": CAMT, "other.bai": BAI2}))
    hashes = [f.sha256 for f in _source(tmp_path).list_files()]
    assert hashes[0] == hashes[1] != hashes[2]


def test_a_refused_archive_is_one_bad_file(tmp_path: Path) -> None:
    """A bomb is listed as itself and quarantined whole."""
    (tmp_path / "bomb.zip").write_bytes(_zip({"x.xml": b"\0" * (8 << 20)}))
    source = _source(tmp_path)
    (file,) = source.list_files()
    assert file.path == tmp_path / "bomb.zip"
    with pytest.raises(BadInputError, match="bomb"):
        source.read(file)
    source.quarantine(file, "bomb")
    assert (tmp_path / "quarantine" / "bomb.zip").exists()
