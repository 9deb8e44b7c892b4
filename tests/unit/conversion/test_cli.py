"""`mail2task convert`: JSON on stdout, `-` for stdin, one-line errors and exit status 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mail2task.cli import main
from tests.unit.conversion.golden import SAMPLES, expected


def test_prints_the_draft_as_json(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    eml = SAMPLES / "subject_cyrillic_folded.eml"
    assert main(["convert", str(eml)]) == 0
    out = capsysbinary.readouterr().out
    assert json.loads(out.decode("utf-8")) == expected(eml)
    assert "Отчёт за март".encode() in out  # UTF-8, not \\u escapes


def test_reads_standard_input() -> None:
    eml = SAMPLES / "plain_headers.eml"
    result = subprocess.run(
        [sys.executable, "-m", "mail2task.cli", "convert", "-"],
        input=eml.read_bytes(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected(eml)


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", b"\x89PNG\r\n\x1a\n\x00\x00", b"", b"just words\n"],
    ids=["pdf", "png", "empty", "text"],
)
def test_non_email_is_refused_in_one_line(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], content: bytes
) -> None:
    path = tmp_path / "file.eml"
    path.write_bytes(content)
    assert main(["convert", str(path)]) == 2
    captured = capsysbinary.readouterr()
    assert captured.out == b""
    error = captured.err.decode()
    assert error.count("\n") == 1
    assert "is not an email message" in error


def test_missing_file(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    assert main(["convert", str(tmp_path / "missing.eml")]) == 2
    error = capsysbinary.readouterr().err.decode()
    assert error.count("\n") == 1
    assert "cannot read" in error


def test_over_the_limit(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_MESSAGE_BYTES", "100")
    assert main(["convert", str(SAMPLES / "plain_headers.eml")]) == 2
    error = capsysbinary.readouterr().err.decode()
    assert error.count("\n") == 1
    assert "larger than the limit of 100 bytes" in error


def test_stdin_non_email_exit_status() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mail2task.cli", "convert", "-"],
        input=b"\x00\x01\x02 binary",
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode().strip() == (
        "mail2task convert: standard input is not an email message (it does not start with a header block)"
    )
