"""Reply trimming: attributions in many languages, Outlook blocks, quotes, signatures, forwards."""

from __future__ import annotations

import pytest

from mail2task.conversion.trimming import trim_reply

NEW = "Done, see you Tuesday."


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, Jan 1, 2024 at 10:00 AM Alice Smith <alice@example.com> wrote:",
        "On Jan 1, 2024, at 10:00, Alice <alice@example.com> wrote:",
        "On 1/1/24 10:00, Alice wrote:",
        "Am 01.01.2024 um 10:00 schrieb Max Mustermann <max@example.de>:",
        "Le lun. 1 janv. 2024 à 10:00, Jean <jean@example.fr> a écrit :",
        "El lun, 1 ene 2024 a las 10:00, Ana (<ana@example.es>) escribió:",
        "Il giorno lun 1 gen 2024 alle ore 10:00 Mario <mario@example.it> ha scritto:",
        "Op ma 1 jan. 2024 om 10:00 schreef Jan <jan@example.nl>:",
        "Em seg., 1 de jan. de 2024 às 10:00, João <joao@example.br> escreveu:",
        "W dniu 01.01.2024 o 10:00, Jan <jan@example.pl> pisze:",
        "Den 1 jan. 2024 kl. 10:00 skrev Anna <anna@example.se>:",
        "пн, 1 янв. 2024 г. в 10:00, Иван <ivan@example.ru>:",
        '01.01.2024, 10:00, "Иван" <ivan@example.ru> написал:',
        "Ivan <ivan@example.cn> 于2024年1月1日周一 10:00写道：",
        "2024年1月1日(月) 10:00 Taro <taro@example.jp>:",
    ],
)
def test_attribution_and_quote_are_removed(attribution: str) -> None:
    text = f"{NEW}\n\n{attribution}\n\n> earlier message\n> more"
    trimmed = trim_reply(text)
    assert trimmed.text == NEW
    assert trimmed.removed_quotes


def test_wrapped_attribution_is_recognised() -> None:
    text = f"{NEW}\n\nOn Mon, Jan 1, 2024 at 10:00 AM Alice Smith <\nalice@example.com> wrote:\n\n> old"
    assert trim_reply(text).text == NEW


def test_attribution_without_quote_markers_cuts_the_rest() -> None:
    text = f"{NEW}\n\nOn Mon, Jan 1, 2024 at 10:00 AM Alice <a@example.com> wrote:\n\nold text, not quoted"
    assert trim_reply(text).text == NEW


def test_a_sentence_ending_in_wrote_is_not_history() -> None:
    text = "The client wrote:\n\nPlease fix the bug in the export."
    assert trim_reply(text).text == text


@pytest.mark.parametrize(
    "header",
    [
        "-----Original Message-----\nFrom: Bob\nSent: Monday\nTo: Dan\nSubject: x",
        "-----Ursprüngliche Nachricht-----\nVon: Bob\nGesendet: Montag",
        "________________________________\nFrom: Bob <bob@example.org>\nSent: Monday, 1 January\nTo: Dan",
        "From: Bob <bob@example.org>\nDate: Monday, January 1, 2024 10:00 AM\nTo: Dan\nSubject: x",
        "*From:* Bob <bob@example.org>\n*Sent:* Monday, January 1, 2024\n*To:* Dan",
        "De : Bob <bob@example.org>\nEnvoyé : lundi 1 janvier 2024 10:00\nÀ : Dan",
        "Von: Bob <bob@example.org>\nGesendet: Montag, 1. Januar 2024 10:00\nAn: Dan",
        "От: Bob <bob@example.org>\nОтправлено: 1 января 2024 г. 10:00\nКому: Dan",
        "发件人: Bob <bob@example.org>\n发送时间: 2024年1月1日 10:00\n收件人: Dan",
    ],
)
def test_outlook_header_blocks_start_history(header: str) -> None:
    assert trim_reply(f"{NEW}\n\n{header}\n\nold body").text == NEW


def test_outlook_block_in_a_forward_is_kept() -> None:
    text = "FYI\n\n____________________\nFrom: Bob <b@x.org>\nSent: Monday\nTo: Dan\n\nforwarded body"
    trimmed = trim_reply(text, forwarded=True)
    assert trimmed.text == text
    assert not trimmed.removed_quotes


@pytest.mark.parametrize(
    "marker",
    [
        "---------- Forwarded message ---------",
        "-------- Forwarded Message --------",
        "---------- Weitergeleitete Nachricht ----------",
        "-------- Message transféré --------",
        "Begin forwarded message:",
        "Anfang der weitergeleiteten Nachricht:",
        "---------- Пересылаемое сообщение ----------",
    ],
)
def test_forwarded_messages_are_kept_with_their_quotes(marker: str) -> None:
    forwarded = f"{marker}\nFrom: Alice <a@example.com>\nSubject: Hi\n\nContent\n> its own quote"
    trimmed = trim_reply(f"Please look.\n\n-- \nBob\n\n{forwarded}")
    assert trimmed.text == f"Please look.\n\n{forwarded}"


def test_interleaved_answers_keep_their_questions() -> None:
    text = "Alice wrote:\n> q1\n\nanswer one\n\n> q2\n\nanswer two\n\n> trailing quote"
    assert trim_reply(text).text == "Alice wrote:\n> q1\n\nanswer one\n\n> q2\n\nanswer two"


def test_bottom_posting_drops_the_leading_quote() -> None:
    assert trim_reply("Alice wrote:\n> question?\n\nthe answer").text == "the answer"


@pytest.mark.parametrize(
    "footer",
    [
        "-- \nBob Jones\nACME Corp",
        "--\nBob",
        "Sent from my iPhone",
        "Get [Outlook for iOS](https://aka.ms/o0ukef)",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPhone",
        "Enviado desde mi iPhone",
        "Отправлено с iPhone",
        "发自我的iPhone",
        "_______________________________________________\nteam mailing list\nteam@lists.example.org",
    ],
)
def test_signatures_and_footers_are_removed(footer: str) -> None:
    trimmed = trim_reply(f"{NEW}\n\n{footer}")
    assert trimmed.text == NEW
    assert trimmed.removed_signature


def test_a_dash_line_far_from_the_end_is_not_a_signature() -> None:
    body = "intro\n--\n" + "\n".join(f"line {n}" for n in range(60))
    assert trim_reply(body).text == body


def test_nothing_left_keeps_the_original() -> None:
    only_quotes = "> only a quote\n> here"
    assert trim_reply(only_quotes).text == only_quotes


def test_short_sign_off_lines_are_not_taken_for_a_wrapped_attribution() -> None:
    text = "Sounds good.\n\nThanks,\nBob\nOn Mon, Jan 1, 2024 at 10:00 AM Alice <a@example.com> wrote:\n> old"
    assert trim_reply(text).text == "Sounds good.\n\nThanks,\nBob"
