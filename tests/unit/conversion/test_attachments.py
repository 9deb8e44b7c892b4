"""Attachment names the standard library misreads, and safe, bounded file names."""

from __future__ import annotations

import email
from email import policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mail2task.conversion.attachments import MAX_FILENAME_BYTES, clean_filename, filename_of, header_params
from mail2task.conversion.parse import parse_message

# (Content-Disposition or Content-Type line, raw bytes encoding, expected name)
CASES = [
    ('Content-Disposition: attachment; filename="=?UTF-8?B?0J7RgtGH0LXRgi5wZGY=?="', "Отчет.pdf"),
    ("Content-Disposition: attachment; filename==?UTF-8?B?0J7RgtGH0LXRgi5wZGY=?=", "Отчет.pdf"),
    (
        'Content-Disposition: attachment;\n filename="=?UTF-8?Q?Re=C3=A7u_?= =?UTF-8?Q?2024.pdf?="',
        "Reçu 2024.pdf",
    ),
    ("Content-Disposition: attachment; filename=my report final.pdf", "my report final.pdf"),
    ("Content-Disposition: attachment; filename=my report.pdf; size=10", "my report.pdf"),
    ("Content-Disposition: attachment; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf", "Résumé.pdf"),
    (
        "Content-Disposition: attachment;\n filename*0*=UTF-8''R%C3%A9sum;\n filename*1*=%C3%A9.pdf",
        "Résumé.pdf",
    ),
    (
        'Content-Disposition: attachment;\n filename*0="long name ";\n filename*1="part two.pdf"',
        "long name part two.pdf",
    ),
    ("Content-Disposition: attachment; filename*=bogus''R%C3%A9sum%C3%A9.pdf", "Résumé.pdf"),
    ("Content-Disposition: attachment; filename*=UTF-8''R%E9sum%E9.pdf", "Résumé.pdf"),
    ('Content-Disposition: attachment; filename="Résumé.pdf"', "Résumé.pdf"),
    ('Content-Type: application/pdf; name="=?iso-8859-1?Q?R=E9sum=E9.pdf?="', "Résumé.pdf"),
    ('Content-Disposition: attachment; filename="C:\\\\Users\\\\x\\\\doc.pdf"', "doc.pdf"),
    ('Content-Disposition: attachment; filename="../../etc/passwd"', "passwd"),
    (
        "Content-Disposition: attachment; filename=\"fallback.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf",
        "Résumé.pdf",
    ),
    ('Content-Disposition: attachment; filename="invoice\u202efdp.exe"', "invoicefdp.exe"),
    ('Content-Disposition: attachment; filename=".."', ""),
]


def _message(header: str, encoding: str = "utf-8") -> bytes:
    return f"From: a@example.com\n{header}\n\nx\n".encode(encoding)


@pytest.mark.parametrize(("header", "name"), CASES)
def test_filename_of(header: str, name: str) -> None:
    assert filename_of(parse_message(_message(header))) == name


def test_raw_latin1_bytes_in_a_quoted_name() -> None:
    raw = _message('Content-Disposition: attachment; filename="Résumé.pdf"', "latin-1")
    assert filename_of(parse_message(raw)) == "Résumé.pdf"


def test_the_standard_library_gets_these_wrong() -> None:
    """Why filename_of exists: each stdlib policy fails on some of the cases above."""
    wrong = 0
    for header, name in CASES[:12]:
        raw = _message(header)
        results = {
            email.message_from_bytes(raw, policy=policy.compat32).get_filename(),
            email.message_from_bytes(raw, policy=policy.default).get_filename(),
        }
        wrong += any(result != name for result in results)
    assert wrong >= 6


def test_clean_filename_bounds_length_and_keeps_the_extension() -> None:
    name = clean_filename("ä" * 300 + ".pdf")
    assert len(name.encode("utf-8")) <= MAX_FILENAME_BYTES
    assert name.endswith(".pdf")
    assert clean_filename(" report.pdf. ") == "report.pdf"
    assert clean_filename("tab\tand\nnewline.txt") == "tab and newline.txt"


_PARAM_TEXT = st.text(alphabet='ab=; \t/-.=?_"', max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(_PARAM_TEXT, st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
)
def test_simple_parameter_split_agrees_with_the_standard_library(value: str) -> None:
    message = parse_message(f"Content-Type: {value}\n\nx".encode())
    ours = [pair for pair in header_params(message, "content-type", message.get("content-type")) if pair[0]]
    theirs = [pair for pair in (message.get_params() or []) if pair[0]]
    assert ours == theirs
