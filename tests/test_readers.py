"""Pre-flight file checks and reading plain-text files."""
from __future__ import annotations

import builtins
import os

import pytest

from ingest.errors import CorruptFile, EmptyFile, FileTooLarge, IngestError, UnsupportedFile
from ingest.readers import check_file, read_text_file
from pdfs import make_garbage_pdf, make_text_pdf

SENTENCE = "Socialtjänsten får lämna uppgifter"
MB = 1024 * 1024


# --------------------------------------------------------------------------- read_text_file

def test_utf8_text_is_decoded(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(f"{SENTENCE} om Åsa.\n".encode("utf-8"))
    assert read_text_file(path) == f"{SENTENCE} om Åsa.\n"


def test_utf8_bom_is_removed(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + f"# {SENTENCE}\n".encode("utf-8"))
    text = read_text_file(path)
    assert text == f"# {SENTENCE}\n"
    assert not text.startswith("\ufeff")


def test_cp1252_text_is_decoded(tmp_path):
    path = tmp_path / "win.txt"
    data = f"{SENTENCE} – enligt nämnden.".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):  # the input really is not UTF-8
        data.decode("utf-8")
    path.write_bytes(data)
    assert read_text_file(path) == f"{SENTENCE} – enligt nämnden."


def test_latin1_bytes_undefined_in_cp1252_still_decode(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Socialtjänsten ".encode("latin-1") + b"\x81" + " får".encode("latin-1"))
    text = read_text_file(path)
    assert text.startswith("Socialtjänsten ") and text.endswith(" får")


def test_utf16_with_bom_is_decoded(tmp_path):
    path = tmp_path / "notepad.txt"
    path.write_bytes(f"{SENTENCE}\r\n".encode("utf-16"))
    assert read_text_file(path) == f"{SENTENCE}\n"


def test_windows_line_endings_become_newlines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"rad ett\r\nrad tv\xc3\xa5\r\n")
    assert read_text_file(path) == "rad ett\nrad två\n"


def test_zero_byte_text_file_is_empty(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile):
        read_text_file(path)


def test_whitespace_only_text_file_is_empty(tmp_path):
    path = tmp_path / "blank.md"
    path.write_bytes(b" \n\t\r\n   \n")
    with pytest.raises(EmptyFile) as info:
        read_text_file(path)
    assert "whitespace" in info.value.reason


def test_binary_file_named_txt_is_corrupt(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(CorruptFile) as info:
        read_text_file(path)
    assert "binary" in info.value.reason


def test_control_characters_without_nul_are_corrupt(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 0x0E, 0x1F]) * 50 + b"lite text")
    with pytest.raises(CorruptFile):
        read_text_file(path)


def test_directory_is_not_read_as_text(tmp_path):
    with pytest.raises(IngestError) as info:
        read_text_file(tmp_path)
    assert "directory" in info.value.reason


# --------------------------------------------------------------------------- check_file

@pytest.mark.parametrize("name", ["a.pdf", "b.txt", "c.md", "D.PDF", "E.Md"])
def test_supported_files_pass(tmp_path, name):
    path = tmp_path / name
    if name.lower().endswith(".pdf"):
        make_text_pdf(path, ["Samverkan mellan skola och socialtjänst."])
    else:
        path.write_text(SENTENCE, encoding="utf-8")
    assert check_file(path, max_bytes=10 * MB) is None


def test_unsupported_extension_is_rejected_with_the_supported_list(tmp_path):
    path = tmp_path / "rapport.docx"
    path.write_bytes(b"PK\x03\x04 whatever")
    with pytest.raises(UnsupportedFile) as info:
        check_file(path, max_bytes=10 * MB)
    assert ".docx" in info.value.reason
    for suffix in (".pdf", ".txt", ".md"):
        assert suffix in info.value.reason


def test_file_over_the_size_limit_is_rejected_naming_the_setting(tmp_path):
    path = tmp_path / "stor.txt"
    path.write_bytes(b"a" * (3 * MB))
    with pytest.raises(FileTooLarge) as info:
        check_file(path, max_bytes=2 * MB)
    reason = info.value.reason
    assert "HANDBOK_MAX_FILE_MB" in reason
    assert "3.0 MB" in reason and "2.0 MB" in reason
    check_file(path, max_bytes=3 * MB)  # exactly at the limit is fine


def test_zero_byte_file_is_empty(tmp_path):
    path = tmp_path / "tom.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile):
        check_file(path, max_bytes=MB)


def test_renamed_file_with_pdf_extension_is_rejected(tmp_path):
    path = make_garbage_pdf(tmp_path / "rapport.pdf")
    with pytest.raises(CorruptFile) as info:
        check_file(path, max_bytes=MB)
    assert info.value.reason.startswith("not a PDF (starts with b'PK")
    assert "ZIP" in info.value.reason
    assert info.value.reason.endswith("was it renamed?")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read files with mode 000; covered by the monkeypatched test below")
def test_unreadable_file_is_reported_as_permission_denied(tmp_path):
    path = tmp_path / "låst.txt"
    path.write_text(SENTENCE, encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(IngestError) as info:
            check_file(path, max_bytes=MB)
        assert info.value.reason == "cannot read: permission denied — check the file's permissions"
        with pytest.raises(IngestError):
            read_text_file(path)
    finally:
        path.chmod(0o644)


def test_permission_denied_on_open_is_reported(tmp_path, monkeypatch):
    # Works as root too: opening the file fails the way it would for a normal user.
    path = tmp_path / "låst.txt"
    path.write_text(SENTENCE, encoding="utf-8")
    real_open = builtins.open

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(IngestError) as info:
        check_file(path, max_bytes=MB)
    assert info.value.reason == "cannot read: permission denied — check the file's permissions"


def test_broken_symlink_is_reported_as_unreadable(tmp_path):
    link = tmp_path / "borta.txt"
    link.symlink_to(tmp_path / "finns-inte.txt")
    with pytest.raises(IngestError) as info:
        check_file(link, max_bytes=MB)
    assert type(info.value) is IngestError
    assert "broken symbolic link" in info.value.reason


def test_directory_with_supported_extension_is_reported(tmp_path):
    folder = tmp_path / "mapp.pdf"
    folder.mkdir()
    with pytest.raises(IngestError) as info:
        check_file(folder, max_bytes=MB)
    assert "directory" in info.value.reason
