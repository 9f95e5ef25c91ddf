"""Every interface string is translated into German and French, and stays so.

Three guards: the catalogues have no untranslated or fuzzy entry, the committed .mo files are the
compiled .po files, and no template shows text that is not marked for translation. Then a German
and a French reader actually get their language.
"""

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from breakouts import services
from breakouts.models import Mode
from charter.models import Feedback
from sessions_app.models import SessionPart
from tests.factories import (
    make_day,
    make_part,
    make_participant,
    make_programme,
    make_session,
    make_summit,
    open_picking,
)

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
LANGUAGES = ["de", "fr"]
TEMPLATE_DIRS = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]
TEMPLATE_SUFFIXES = {".html", ".txt", ".svg"}

# Visible text that is the same in every language. Each entry says why.
ALLOWED_TEXT = {
    "UTC": "the name of the time scale, the same in every language",
}

# Attributes a reader sees or hears; every other attribute value is markup.
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "aria-roledescription"}


# --- the catalogues -------------------------------------------------------------------------------


def _unquote(line):
    """The text of one quoted .po string, with its escapes resolved."""
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def parse_po(path):
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (a list), flags, obsolete."""
    entries = []
    entry = None
    field = None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        elif line.startswith("#"):
            continue
        if line.startswith("msgctxt "):
            field = ("msgctxt", None)
            entry["msgctxt"] = _unquote(line)
        elif line.startswith("msgid_plural "):
            field = ("msgid_plural", None)
            entry["msgid_plural"] = _unquote(line)
        elif line.startswith("msgid "):
            field = ("msgid", None)
            entry["msgid"] = _unquote(line)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            field = ("msgstr", index)
            entry["msgstr"][index] = _unquote(line)
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            entry["msgstr"][0] = _unquote(line)
        elif line.startswith('"') and field is not None:
            name, index = field
            if name == "msgstr":
                entry["msgstr"][index] += _unquote(line)
            else:
                entry[name] += _unquote(line)
    return entries


def _header(entries):
    return next(entry for entry in entries if entry["msgid"] == "")["msgstr"][0]


def _messages(entries):
    return [entry for entry in entries if entry["msgid"] != "" and not entry["obsolete"]]


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_entry(language):
    entries = parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    messages = _messages(entries)
    assert len(messages) > 600
    untranslated = [e["msgid"] for e in messages if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    assert "fuzzy" not in next(e for e in entries if e["msgid"] == "")["flags"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_the_languages_plural_rule_and_every_plural_form(language):
    entries = parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    header = _header(entries)
    assert f"Language: {language}\n" in header
    rule = {"de": "nplurals=2; plural=(n != 1);", "fr": "nplurals=2; plural=(n > 1);"}[language]
    assert f"Plural-Forms: {rule}" in header
    plurals = [e for e in _messages(entries) if e["msgid_plural"] is not None]
    assert plurals
    assert [e["msgid"] for e in plurals if sorted(e["msgstr"]) != [0, 1]] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    entries = parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    broken = []
    for entry in _messages(entries):
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        expected_plural = sorted(PLACEHOLDER.findall(entry["msgid_plural"] or entry["msgid"]))
        for index, text in entry["msgstr"].items():
            found = sorted(PLACEHOLDER.findall(text))
            # A singular form may leave out the count: "one seat" needs no %(count)s.
            wanted = expected if index == 0 else expected_plural
            if found != wanted and not (index == 0 and set(found) <= set(expected_plural)):
                broken.append((entry["msgid"], text))
    assert broken == []


def _compile(po, mo):
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_is_the_compiled_po(language, tmp_path):
    directory = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = directory / "django.po", directory / "django.mo"
    # Compared byte for byte, not by modification time: git does not keep file times.
    assert mo.exists(), f"run compilemessages: {mo} is missing"
    _compile(po, tmp_path / "django.mo")
    assert (tmp_path / "django.mo").read_bytes() == mo.read_bytes(), f"run compilemessages for {language}"


# --- the templates ---------------------------------------------------------------------------------

TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.DOTALL)
BLOCKTRANSLATE = re.compile(
    r"{%\s*block(?:trans|translate)\b.*?%}.*?{%\s*endblock(?:trans|translate)\s*%}", re.DOTALL
)
TRANSLATE = re.compile(r"{%\s*(?:trans|translate)\s.*?%}", re.DOTALL)
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
# Marks a translated piece so an attribute made of nothing else counts as translated.
MARK = "\x00"


def _without_template_code(text):
    """The template's text with comments gone and translated pieces replaced by a mark."""
    text = TEMPLATE_COMMENT.sub("", text)
    text = BLOCKTRANSLATE.sub(MARK, text)
    text = TRANSLATE.sub(MARK, text)
    return TEMPLATE_CODE.sub("", text)


def _is_untranslated(text):
    text = re.sub(r"&[#\w]+;", " ", text.replace(MARK, " "))
    for word in ALLOWED_TEXT:
        text = re.sub(rf"\b{re.escape(word)}\b", " ", text)
    return bool(re.search(r"[^\W\d_]", text))


class _VisibleText(HTMLParser):
    """Collects text and visible attribute values that hold letters, outside scripts and styles."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        visible = set(VISIBLE_ATTRIBUTES)
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            visible.add("value")
        for name, value in attrs.items():
            if name in visible and value and _is_untranslated(value):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in {"script", "style"}:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and _is_untranslated(data):
            self.found.append(data.strip())


def untranslated_text(path):
    """Visible text in a template that no translate tag covers."""
    text = _without_template_code(path.read_text(encoding="utf-8"))
    if path.suffix == ".txt":
        return [line.strip() for line in text.splitlines() if _is_untranslated(line)]
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    return parser.found


def _templates():
    return sorted(
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES and ".venv" not in path.parts
    )


def test_there_are_templates_to_scan():
    assert len(_templates()) > 40


@pytest.mark.parametrize("path", _templates(), ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_template_marks_all_visible_text_for_translation(path):
    assert untranslated_text(path) == []


def test_scanner_finds_unmarked_text_and_accepts_marked_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "{% load i18n %}<h1>{% translate 'Rooms' %}</h1>{# a note #}"
        '<img src="x.png" alt="{% translate "Map" %}">'
        "{% blocktranslate trimmed with n=3 %}Day {{ n }}{% endblocktranslate %}"
        "<p>{{ room.title }} &middot; 12:00</p><script>const label = 'hidden';</script>"
    )
    assert untranslated_text(page) == []
    page.write_text(
        '{% load i18n %}<p>Seats left</p><button title="Leave room">{% translate "Leave" %}</button>'
        '<input type="submit" value="Send"><input name="q" value="keep">'
    )
    assert untranslated_text(page) == ["Seats left", "<button title='Leave room'>", "<input value='Send'>"]
    mail = tmp_path / "mail.txt"
    mail.write_text("{% load i18n %}{% translate 'Hello' %} {{ name }},\nThanks for writing.\n")
    assert untranslated_text(mail) == ["Thanks for writing."]


# --- pages in German and French --------------------------------------------------------------------


def _day_page(client, **headers):
    summit = make_summit()
    make_part(make_session(make_day(summit)), kind=SessionPart.Kind.PLENARY)
    return client.get(f"/{summit.slug}/day/1/", **headers).content.decode()


def test_german_reader_gets_the_page_in_german(client, db):
    page = _day_page(client, HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="de"' in page
    assert "Zum Inhalt springen" in page and "Übersicht" in page
    assert "Skip to content" not in page


def test_french_reader_chooses_french_with_the_language_switch(client, db):
    response = client.get("/language/", {"language": "fr", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = _day_page(client)
    assert '<html lang="fr"' in page
    assert "Aller au contenu" in page and "Vue d'ensemble" in page
    assert "mai 2030" in page  # the date, formatted by Django's French locale
    assert "Skip to content" not in page


def test_english_stays_the_default(client, db):
    page = _day_page(client)
    assert '<html lang="en"' in page and "Skip to content" in page


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("en", "You are number 1 on the onsite waitlist."),
        ("de", "Sie sind Nummer 1 auf der Warteliste vor Ort."),
        ("fr", "Vous êtes numéro 1 sur la liste d'attente en présentiel."),
    ],
)
def test_waitlist_place_is_told_in_the_readers_language(client, db, language, phrase):
    summit, part, [breakout_room] = make_programme(breakouts=1, double_sessions=0, onsite=1)
    open_picking(part)
    services.pick(participant=make_participant(summit), breakout_room=breakout_room)
    waiting = make_participant(summit)
    services.pick(participant=waiting, breakout_room=breakout_room)
    client.force_login(waiting.user)
    page = client.get(breakout_room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert phrase in page


def test_words_inside_sentences_keep_each_languages_capitals():
    with translation.override("de"):
        assert Mode.ONSITE.in_sentence == "vor Ort"
        assert Feedback(kind=Feedback.Kind.SUGGESTION).kind_in_sentence == "Anregung"
    with translation.override("fr"):
        assert Mode.ONLINE.in_sentence == "en ligne"
        assert Feedback(kind=Feedback.Kind.FEEDBACK).kind_in_sentence == "retour"
    with translation.override("en"):
        assert Mode.ONSITE.in_sentence == "onsite"
        assert Feedback(kind=Feedback.Kind.SUBMISSION).kind_in_sentence == "submission"
