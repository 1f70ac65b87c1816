"""ZIP and gzip containers of statements, opened member by member, with limits.

Banks and portals deliver camt files as a ZIP of several statements, some as
gzip. Each member is read as its own file, named `archive.zip!member.xml`. Nothing
is extracted to disk, and a container is refused whole (naming the member and the
limit) when it holds too many members, a member or the whole grows past its size
limit or its compression ratio is that of a bomb, a member's name tries a path
trick (absolute, `..`, a drive, a backslash), is a link, is encrypted, or is
itself an archive. A PDF or image beside the statements (banks add the printed
statement) is skipped with a note.
"""

from __future__ import annotations

import io
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from arbridge.connectors.bank._errors import reject
from arbridge.connectors.bank._notes import note

if TYPE_CHECKING:
    import zipfile

SEPARATOR = "!"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16
_RATIO_FLOOR = 1 << 20  # below 1 MiB out, any ratio is harmless (small repetitive XML)
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db")
_NOT_STATEMENTS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerLimits:
    """What a container may hold before it is refused as a bomb."""

    max_members: int = 1000
    max_member_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 500 * 1024 * 1024
    max_ratio: int = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """One statement inside a container: its display path and its bytes."""

    path: Path
    data: bytes


DEFAULT_LIMITS = ContainerLimits()


def is_container(head: bytes) -> bool:
    """True for the first bytes of a ZIP or gzip file."""
    return head.startswith(_ZIP_MAGIC) or head.startswith(_GZIP_MAGIC)


def member_path(container: Path, name: str) -> Path:
    """The display path of a member: `folder/archive.zip!member.xml`."""
    return Path(f"{container}{SEPARATOR}{name}")


def open_container(
    path: Path, data: bytes, limits: ContainerLimits = DEFAULT_LIMITS
) -> list[Member]:
    """Every statement member of a ZIP or gzip container, in archive order.

    Raises:
        BadInputError: a bomb, a path trick, a link, an encrypted or nested
            member, or a damaged archive; names the container and the member.
    """
    if data.startswith(_GZIP_MAGIC):
        return [_gunzip(path, data, limits)]
    return list(_unzip(path, data, limits))


def _unzip(path: Path, data: bytes, limits: ContainerLimits) -> Iterator[Member]:
    import zipfile  # noqa: PLC0415 - only for a ZIP; `bank read` of a plain file starts faster

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise reject(path, f"not a readable ZIP archive: {exc}") from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and not _junk(i.filename)]
        if len(infos) > limits.max_members:
            raise reject(
                path,
                f"ZIP holds {len(infos)} members, more than the limit of {limits.max_members}",
            )
        if not infos:
            raise reject(path, "ZIP archive holds no statement file")
        total, seen = 0, set[str]()
        for info in infos:
            _check_member(path, info, seen)
            body = _inflate_member(path, archive, info, limits, limits.max_total_bytes - total)
            total += len(body)
            if body.startswith(_NOT_STATEMENTS):  # the PDF or scan a bank sends alongside
                note(path, "member skipped: a PDF or image, not a statement", field=info.filename)
                continue
            yield Member(path=member_path(path, info.filename), data=body)


def _junk(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith(_JUNK[0]) or base in _JUNK[1:] or base.startswith("._")


def _check_member(path: Path, info: zipfile.ZipInfo, seen: set[str]) -> None:
    name = info.filename
    if _unsafe(name):
        raise reject(path, "member name is a path trick", field="member", value=name)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise reject(path, "member is a symbolic link", field="member", value=name)
    if info.flag_bits & 0x1:
        raise reject(path, "member is encrypted", field="member", value=name)
    if name in seen:
        raise reject(path, "member name appears twice", field="member", value=name)
    seen.add(name)


def _unsafe(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return True
    if len(name) > 1 and name[1] == ":":  # C:foo, a Windows drive
        return True
    return any(part in {"..", ""} for part in PurePosixPath(name).parts) or "//" in name


def _inflate_member(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ContainerLimits, room: int
) -> bytes:
    import zipfile  # noqa: PLC0415 - see _unzip

    cap = min(limits.max_member_bytes, room)
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                out += chunk
                _check_growth(
                    path,
                    info.filename,
                    size=len(out),
                    packed=info.compress_size,
                    cap=cap,
                    limits=limits,
                )
    except (zipfile.BadZipFile, zlib.error, OSError, NotImplementedError, EOFError) as exc:
        raise reject(
            path, f"member cannot be read: {exc}", field="member", value=info.filename
        ) from None
    body = bytes(out)
    if is_container(body[:4]):
        raise reject(path, "member is itself an archive", field="member", value=info.filename)
    return body


def _check_growth(
    path: Path, name: str, *, size: int, packed: int, cap: int, limits: ContainerLimits
) -> None:
    if size > cap:
        raise reject(
            path,
            f"member grows past {cap} bytes (size limit): refused as a ZIP bomb",
            field="member",
            value=name,
        )
    if size > _RATIO_FLOOR and size > limits.max_ratio * max(packed, 1):
        raise reject(
            path,
            f"member expands more than {limits.max_ratio}:1: refused as a ZIP bomb",
            field="member",
            value=name,
        )


def _gunzip(path: Path, data: bytes, limits: ContainerLimits) -> Member:
    name = path.name[: -len(path.suffix)] if path.suffix.lower() in {".gz", ".gzip"} else path.name
    cap = min(limits.max_member_bytes, limits.max_total_bytes)
    out = bytearray()
    rest = data
    try:
        while rest.startswith(_GZIP_MAGIC):  # concatenated gzip members form one stream
            inflater = zlib.decompressobj(wbits=31)
            pending = rest
            while not inflater.eof:
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                if not chunk and not pending:
                    raise reject(path, "gzip stream is truncated", field="member", value=name)
                out += chunk
                _check_growth(path, name, size=len(out), packed=len(data), cap=cap, limits=limits)
            rest = inflater.unused_data
    except zlib.error as exc:
        raise reject(path, f"not a readable gzip file: {exc}", field="member", value=name) from None
    body = bytes(out)
    if is_container(body[:4]) or body[257:262] == b"ustar":
        raise reject(path, "gzip holds an archive (tar or zip), not a statement", value=name)
    return Member(path=member_path(path, name or "member"), data=body)
