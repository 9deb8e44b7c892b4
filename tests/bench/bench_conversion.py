"""Conversion speed and memory, side by side on one corpus: ``convert`` vs the stdlib floor vs mail-parser.

Corpus: the project's samples (tests/unit/conversion/samples) plus CPython's own email test messages.
The floor is ``email.message_from_bytes(policy=default)`` + ``get_body()``: parsing and finding the body,
nothing else. mail-parser's ``parse_from_bytes`` is a popular parser doing less than ``convert`` (no
HTML-to-text, no trimming, no charset repair); its warning logs are silenced so that it is not charged
for logging I/O. Each message goes through every contender in turn; rates are per CPU second (the
machine is shared), medians over rounds. The big message is timed by wall clock.
"""

from __future__ import annotations

import base64
import email
import logging
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from email import policy
from pathlib import Path

from mail2task.conversion import convert
from tests.bench.common import BenchContext, Row, median, timings

BENCH = "conversion"
ROUNDS = 9
SAMPLES = Path(__file__).parents[1] / "unit" / "conversion" / "samples"
CPYTHON_DATA = Path(email.__file__).parent.parent / "test" / "test_email" / "data"
BIG_MESSAGE_BYTES = 10 * 1024 * 1024


def corpus() -> list[bytes]:
    paths = sorted(SAMPLES.glob("*.eml"))
    if CPYTHON_DATA.is_dir():
        paths += sorted(CPYTHON_DATA.glob("msg_*.txt"))
    return [path.read_bytes() for path in paths]


def stdlib_floor(raw: bytes) -> object:
    message = email.message_from_bytes(raw, policy=policy.default)
    return message.get_body()


def mail_parser(raw: bytes) -> object:
    import mailparser

    return mailparser.parse_from_bytes(raw)


def _tolerant(parse: Callable[[bytes], object]) -> Callable[[bytes], object]:
    def run(raw: bytes) -> object:
        try:
            return parse(raw)
        except Exception:  # noqa: BLE001 - a contender failing on a message must not stop the benchmark
            return None

    return run


def _rates(messages: list[bytes], contenders: dict[str, Callable[[bytes], object]]) -> dict[str, float]:
    """Messages per CPU second of each contender. Every message goes through all contenders in turn and
    time is this process's CPU time, so other processes on a shared machine distort neither; the
    median round counts."""
    for run in contenders.values():  # warm-up: imports, caches
        for raw in messages:
            run(raw)
    per_round: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(ROUNDS):
        spent = dict.fromkeys(contenders, 0.0)
        for raw in messages:
            for name, run in contenders.items():
                started = time.process_time()
                run(raw)
                spent[name] += time.process_time() - started
        for name in contenders:
            per_round[name].append(len(messages) / spent[name])
    return {name: statistics.median(rates) for name, rates in per_round.items()}


def big_message(size: int = BIG_MESSAGE_BYTES) -> bytes:
    """A ~``size`` message as mail clients send one: text and HTML alternatives, an inline image,
    and three attachments (deterministic pseudo-random content, so base64 does not compress it)."""
    rng = random.Random(20240412)
    raw_budget = size * 57 // 78 - 48 * 1024  # base64 lines: 57 bytes become 76 characters + CRLF
    shares = {"image001.png": 0.15, "report.pdf": 0.45, "data.zip": 0.3, "photo.jpg": 0.1}

    def b64(data: bytes) -> bytes:
        return base64.encodebytes(data).replace(b"\n", b"\r\n")

    parts = [
        b"From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Re: Files for the audit\r\n"
        b"Date: Fri, 12 Apr 2024 10:00:00 +0200\r\nMessage-ID: <big@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="mixed"\r\n\r\n--mixed\r\n'
        b'Content-Type: multipart/related; boundary="related"\r\n\r\n--related\r\n'
        b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + b"Here are the files for the audit.\r\n" * 200
        + b"\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + b"<p>Here are the <b>files</b> for the audit.</p>\r\n" * 200
        + b'<img src="cid:image001">\r\n--alt--\r\n'
    ]
    for name, share in shares.items():
        data = rng.randbytes(int(raw_budget * share))
        inline = name == "image001.png"
        content_type = {"png": "image/png", "pdf": "application/pdf", "zip": "application/zip"}.get(
            name.rsplit(".", 1)[1], "image/jpeg"
        )
        head = (
            f'--{"related" if inline else "mixed"}\r\nContent-Type: {content_type}; name="{name}"\r\n'
            + ("Content-ID: <image001>\r\nContent-Disposition: inline\r\n" if inline else "")
            + ("" if inline else f'Content-Disposition: attachment; filename="{name}"\r\n')
            + "Content-Transfer-Encoding: base64\r\n\r\n"
        )
        parts.append(head.encode() + b64(data))
        if inline:
            parts.append(b"--related--\r\n")
    parts.append(b"--mixed--\r\n")
    return b"".join(parts)


def cpu_timings(run: Callable[[], object], repeat: int) -> list[float]:
    """CPU seconds of ``repeat`` calls of ``run`` after one unmeasured call."""
    run()
    spent = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        spent.append(time.process_time() - started)
    return spent


def peak_extra_memory(run: Callable[[], object]) -> int:
    """Peak bytes allocated while ``run`` executes (what it allocates and keeps, plus transients)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        result = run()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak - baseline


def run(ctx: BenchContext) -> list[Row]:
    logging.getLogger("mailparser").setLevel(logging.CRITICAL)
    messages = corpus()
    rates = _rates(
        messages,
        {"convert": convert, "floor": _tolerant(stdlib_floor), "mail-parser": _tolerant(mail_parser)},
    )
    note = f"{len(messages)} messages, CPU time, median of {ROUNDS} rounds"
    rows = [
        Row(BENCH, "convert, messages/s", f"{rates['convert']:.0f}", note),
        Row(BENCH, "stdlib floor (parse + get_body), messages/s", f"{rates['floor']:.0f}", note),
        Row(BENCH, "mail-parser parse_from_bytes, messages/s", f"{rates['mail-parser']:.0f}", note),
        Row(BENCH, "convert / stdlib floor", f"{rates['convert'] / rates['floor']:.2f}x", "higher is faster"),
        Row(
            BENCH,
            "convert / mail-parser",
            f"{rates['convert'] / rates['mail-parser']:.2f}x",
            "target >= 1.00x",
        ),
    ]
    raw = big_message()
    big = f"{len(raw) / 1e6:.1f} MB, 4 attachments; wall (CPU) median"

    def seconds(run: Callable[[], object], repeat: int) -> str:
        wall = median(timings(run, repeat=repeat))
        cpu = median(cpu_timings(run, repeat=repeat))
        return f"{wall:.3f} s ({cpu:.3f} s)"

    convert_time = seconds(lambda: convert(raw), 7)
    floor_time = seconds(lambda: stdlib_floor(raw), 3)
    parser_time = seconds(lambda: mail_parser(raw), 3)
    peak = peak_extra_memory(lambda: convert(raw))
    floor_peak = peak_extra_memory(lambda: stdlib_floor(raw))
    draft = convert(raw)
    assert len(draft.attachments) == 4, "the big message must keep its four attachments"
    rows += [
        Row(BENCH, "big message: convert time", convert_time, f"{big}; target < 0.25 s"),
        Row(BENCH, "big message: stdlib floor time", floor_time, big),
        Row(BENCH, "big message: mail-parser time", parser_time, big),
        Row(
            BENCH,
            "big message: convert peak extra memory",
            f"{peak / 1e6:.1f} MB = {peak / len(raw):.2f}x size",
            "tracemalloc; includes the decoded payloads kept in the draft; target < 3x",
        ),
        Row(
            BENCH,
            "big message: stdlib floor peak extra memory",
            f"{floor_peak / 1e6:.1f} MB = {floor_peak / len(raw):.2f}x size",
            "message_from_bytes copies the input into a str and a StringIO",
        ),
    ]
    return rows
