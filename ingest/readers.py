"""Pre-flight checks for input files, and reading plain-text files (.txt, .md)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from ingest.errors import CorruptFile, EmptyFile, FileTooLarge, IngestError, UnsupportedFile

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")

# How far into a file the binary sniffing looks.
_SNIFF_BYTES = 8192
# Control bytes other than tab, LF, VT, FF, CR and ESC: rare in text, common in binaries.
_CONTROL = set(range(0x00, 0x09)) | {0x0E, 0x0F} | set(range(0x10, 0x1B)) | set(range(0x1C, 0x20)) | {0x7F}
_MAX_CONTROL_RATIO = 0.05

_MAGIC_HINTS = (
    (b"PK\x03\x04", "a ZIP archive, e.g. .docx/.xlsx"),
    (b"\xd0\xcf\x11\xe0", "an old Office file, e.g. .doc"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"<!DOCTYPE", "an HTML page"),
    (b"<html", "an HTML page"),
)


def _describe_start(head: bytes) -> str:
    """What a file that should be a PDF starts with, for the error message."""
    shown = repr(head[:8])
    lowered = head[:16].lstrip().lower()
    for magic, what in _MAGIC_HINTS:
        if lowered.startswith(magic.lower()):
            return f"{shown}, looks like {what}"
    return shown


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def check_file(path: Path, *, max_bytes: int) -> None:
    """Reject a file before reading it: unsupported type, unreadable, empty, too
    large, or a ``.pdf`` whose bytes are not a PDF. Returns None when it is fine."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "no extension"
        raise UnsupportedFile(
            str(path),
            f"unsupported file type ({shown}); supported: {', '.join(SUPPORTED_SUFFIXES)} "
            "— convert it (e.g. save as PDF) or leave it out")
    try:
        st = path.stat()
    except FileNotFoundError:
        what = "broken symbolic link" if path.is_symlink() else "file not found"
        raise IngestError(str(path), f"cannot read: {what} — check the path") from None
    except PermissionError:
        raise IngestError(str(path), "cannot read: permission denied — check the file's permissions") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc} — check the path") from None
    if path.is_dir():
        raise IngestError(str(path), "cannot read: it is a directory, not a file — point at the files inside it")
    size = st.st_size
    if size == 0:
        raise EmptyFile(str(path), "file is empty (0 bytes) — re-export or copy it again")
    if size > max_bytes:
        raise FileTooLarge(
            str(path),
            f"file is {_mib(size)}, over the limit of {_mib(max_bytes)} — raise HANDBOK_MAX_FILE_MB "
            "or split the file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except PermissionError:
        raise IngestError(str(path), "cannot read: permission denied — check the file's permissions") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc} — check the file") from None
    if suffix == ".pdf" and not head.startswith(b"%PDF-"):
        raise CorruptFile(str(path), f"not a PDF (starts with {_describe_start(head)}); was it renamed?")


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b in _CONTROL)
    return controls > _MAX_CONTROL_RATIO * len(sample)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined
        return data.decode("latin-1")


@contextmanager
def reading(path: Path):
    """Turn the operating system's read errors into one-line ``IngestError``s."""
    try:
        yield
    except PermissionError:
        raise IngestError(str(path), "cannot read: permission denied — check the file's permissions") from None
    except IsADirectoryError:
        raise IngestError(str(path), "cannot read: it is a directory, not a file — point at the files inside it") from None
    except FileNotFoundError:
        raise IngestError(str(path), "cannot read: file not found — check the path") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc} — check the file") from None


def read_text_file(path: Path) -> str:
    """Text of a .txt/.md file. UTF-8 (BOM optional), UTF-16 with a BOM, else
    cp1252, else latin-1. Line endings become ``\\n``."""
    path = Path(path)
    with reading(path):
        data = path.read_bytes()
    if not data:
        raise EmptyFile(str(path), "file is empty (0 bytes) — re-export or copy it again")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM (Windows "Unicode")
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise CorruptFile(str(path), "invalid UTF-16 text — re-save it as UTF-8") from None
    else:
        if _looks_binary(data):
            raise CorruptFile(
                str(path),
                f"binary data, not text (extension {path.suffix or 'none'}); was it renamed? "
                "— export it as plain text or PDF")
        text = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyFile(str(path), "file contains only whitespace — check that the export worked")
    return text


__all__ = ["SUPPORTED_SUFFIXES", "check_file", "read_text_file"]
