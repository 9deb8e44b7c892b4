"""Lines that mail clients write around earlier messages and signatures, in the languages our users use."""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE | re.UNICODE
COLONS = (":", "\uff1a")  # ASCII and full-width (CJK) colon
_COLON_CLASS = "".join(COLONS)
_END_COLON = rf"[ \t]*[{_COLON_CLASS}][ \t]*$"

# Verbs of "X wrote:" attribution lines (Gmail, Apple Mail, Thunderbird, Outlook for Mac, Yandex...).
_WROTE_WORDS = (
    r"wrote|writes|schrieb|schreibt|a\s+écrit|écrit|escribió|escribio|ha\s+scritto|scrisse|schreef|"
    r"het\s+volgende\s+geschreven|escreveu|napisał\(a\)|napisała|napisał|pisze|napsal\(a\)|napsala|napsal|"
    r"написал\(а\)|написала|написал|пишет|skrev|kirjoitti|írta|yazdı|έγραψε|כתב|كتب|a\s+scris|đã\s+viết|menulis"
)
_WROTE_CJK = r"写道|寫道|のメッセージ|書きました|님이\s*작성|작성"
_WROTE_RE = re.compile(rf"(?<!\w)(?:{_WROTE_WORDS})|{_WROTE_CJK}", _FLAGS)
_ADDRESS_COLON = re.compile(rf"<[^<>\s@]+@[^<>\s]+>{_END_COLON}")


def is_attribution(line: str) -> bool:
    """An "On <date>, <name> wrote:" line, in any of the languages above, or Gmail's verb-less
    "<date>, <name> <address>:" form. Only the shape is checked; callers add context."""
    text = line.strip()
    if len(text) > 400 or not text.endswith(COLONS):
        return False
    if _WROTE_RE.search(text):
        return True
    return _ADDRESS_COLON.search(text) is not None and any(char.isdigit() for char in text)


_ORIGINAL = (
    r"original\s+message|ursprüngliche\s+nachricht|originalnachricht|message\s+d'origine|"
    r"mensaje\s+original|messaggio\s+originale|oorspronkelijk\s+bericht|originalt\s+meddelande|"
    r"original\s+meddelelse|opprinnelig\s+melding|alkuperäinen\s+viesti|oryginalna\s+wiadomość|"
    r"původní\s+zpráva|исходное\s+сообщение|原始邮件|原始郵件|元のメッセージ|원본\s*메시지|"
    r"orijinal\s+ileti|eredeti\s+üzenet|mensagem\s+original"
)
ORIGINAL_MESSAGE = re.compile(rf"^[ \t]*-{{2,}}\s*(?:{_ORIGINAL})\s*-{{2,}}[ \t]*$", _FLAGS)

_FORWARDED = (
    r"forwarded\s+message|weitergeleitete\s+nachricht|message\s+transféré|mensaje\s+reenviado|"
    r"messaggio\s+inoltrato|doorgestuurd\s+bericht|wiadomość\s+przekazana\s+dalej|přeposlaná\s+zpráva|"
    r"пересылаемое\s+сообщение|пересланное\s+сообщение|转发的邮件|轉寄的郵件|転送されたメッセージ|"
    r"전달된\s*메시지|mensagem\s+encaminhada|vidarebefordrat\s+meddelande|videresendt\s+meddelelse|"
    r"videresendt\s+melding|välitetty\s+viesti|iletilen\s+ileti|továbbított\s+üzenet"
)
_BEGIN_FORWARDED = (
    r"begin\s+forwarded\s+message|anfang\s+der\s+weitergeleiteten\s+nachricht|"
    r"début\s+du\s+message\s+réexpédié|inicio\s+del\s+mensaje\s+reenviado|"
    r"início\s+da\s+mensagem\s+reencaminhada|inizio\s+messaggio\s+inoltrato|"
    r"begin\s+doorgestuurd\s+bericht|początek\s+przekazywanej\s+wiadomości|"
    r"начало\s+переадресованного\s+сообщения|转发的邮件开始|転送されたメッセージの始まり"
)
FORWARD_RULE = re.compile(
    rf"^[ \t]*(?:-{{2,}}\s*(?:{_FORWARDED})\s*:?\s*-{{2,}}|"
    rf"-{{2,}}[^-]{{0,40}}\bforward\w*[^-]{{0,40}}-{{2,}})[ \t]*$",
    _FLAGS,
)
BEGIN_FORWARDED = re.compile(rf"^[ \t]*(?:{_BEGIN_FORWARDED}){_END_COLON}", _FLAGS)

_FROM = (
    r"from|von|de|da|van|od|från|fra|frá|lähettäjä|от|от\s+кого|kimden|feladó|"
    r"发件人|寄件者|差出人|보낸\s*사람"
)
_SENT = (
    r"sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|wysłano|skickat|sendt|"
    r"lähetetty|отправлено|дата|发送时间|日期|寄件日期|送信日時|보낸\s*날짜|gönderildi|tarih|elküldve|odesláno"
)
HEADER_FROM = re.compile(rf"^[ \t]*\*?(?:{_FROM})[ \t]*\*?[ \t]*[{_COLON_CLASS}][ \t]*\*?[ \t]*\S", _FLAGS)
HEADER_SENT = re.compile(rf"^\s*\*?(?:{_SENT})\s*\*?\s*[{_COLON_CLASS}]", _FLAGS)
UNDERSCORE_RULE = re.compile(r"^\s*_{10,}\s*$")

MOBILE_FOOTER = re.compile(
    r"^\s*(?:sent\s+(?:from|with|via|using)\b|get\s+outlook\s+for\b|envoyé\s+(?:de|depuis)\b|"
    r"enviado\s+(?:desde|do|de)\b|inviato\s+da\b|verzonden\s+(?:vanaf|met|van)\b|von\s+meinem\b|"
    r"gesendet\s+(?:von|mit|vom)\b|wysłane\s+z\b|отправлено\s+(?:с|из)\b|skickat\s+från\b|sendt\s+fra\b|"
    r"lähetetty\b|odesláno\s+z\b|发自|發自|从我的|從我的|iphoneから送信|android\s*から送信)",
    _FLAGS,
)
MAILING_LIST_FOOTER = re.compile(r"mailing\s+list|mailman/listinfo|unsubscribe", _FLAGS)
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")


def is_signature_separator(line: str) -> bool:
    """RFC 3676's ``-- `` (trailing space often lost on the way) on a line of its own."""
    return line.rstrip() in ("--", "\u2014", "\u2013\u2013")  # also as autocorrected to dashes
