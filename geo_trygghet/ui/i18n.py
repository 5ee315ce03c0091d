"""Interface texts: Swedish first, English as the second language (GLOSSARY.md).

``t(key, **fields)`` reads the language from ``st.session_state["lang"]``;
a missing English text falls back to Swedish, a missing key shows the key
itself (so a typo is visible, never a crash). Pages add their own texts
with :func:`add` at import time::

    from geo_trygghet.ui.i18n import add, t
    add({"walk.title": {"sv": "Trygghetsvandring", "en": "Safety walk"}})
"""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"sv": "Svenska", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "ui.choose": {"sv": "Välj …", "en": "Choose …"},
    # --- the shell ---------------------------------------------------------------
    "app.title": {"sv": "geo_trygghet", "en": "geo_trygghet"},
    "app.tagline": {
        "sv": "Lägesbild, trygghetsvandringar och uppföljning för det lokala brottsförebyggande arbetet",
        "en": "Situation picture, safety walks and follow-up for local crime prevention",
    },
    "lang.label": {"sv": "Språk", "en": "Language"},
    "section.start": {"sv": "Start", "en": "Start"},
    "section.walk": {"sv": "Trygghetsvandring", "en": "Safety walk"},
    "section.owner": {"sv": "Problemägare", "en": "Problem owner"},
    "section.analysis": {"sv": "Analys", "en": "Analysis"},
    "section.admin": {"sv": "Administration", "en": "Administration"},
    "section.account": {"sv": "Konto", "en": "Account"},
    "page.home": {"sv": "Start", "en": "Home"},
    "page.login": {"sv": "Logga in", "en": "Log in"},
    "page.logout": {"sv": "Logga ut", "en": "Log out"},
    "page.join": {"sv": "Gå med i en vandring", "en": "Join a walk"},
    "role.public": {"sv": "Allmänheten", "en": "The public"},
    "role.deltagare": {"sv": "Deltagare", "en": "Participant"},
    "role.problemagare": {"sv": "Problemägare", "en": "Problem owner"},
    "role.analytiker": {"sv": "Analytiker", "en": "Analyst"},
    "role.admin": {"sv": "Administratör", "en": "Administrator"},
    "shell.signed_in_as": {"sv": "Inloggad som {who} ({role})", "en": "Signed in as {who} ({role})"},
    "shell.walk_code": {"sv": "Vandring {code}", "en": "Walk {code}"},
    # --- login and joining ----------------------------------------------------------
    "login.heading": {"sv": "Logga in", "en": "Log in"},
    "login.intro": {
        "sv": "För problemägare, analytiker och administratörer. Deltagare i en vandring behöver inget konto: använd koden eller QR-koden från vandringen.",
        "en": "For problem owners, analysts and administrators. Walk participants need no account: use the walk's code or QR code.",
    },
    "login.username": {"sv": "Användarnamn", "en": "User name"},
    "login.password": {"sv": "Lösenord", "en": "Password"},
    "login.submit": {"sv": "Logga in", "en": "Log in"},
    "login.remember": {"sv": "Kom ihåg mig i två veckor", "en": "Remember me for two weeks"},
    "login.remember_help": {
        "sv": "Utan detta är du inloggad tills webbläsaren stängs. Använd det inte på en delad dator.",
        "en": "Without it you stay logged in until the browser is closed. Do not use it on a shared computer.",
    },
    "login.failed": {"sv": "Fel användarnamn eller lösenord.", "en": "Wrong user name or password."},
    "login.welcome": {"sv": "Välkommen, {who}!", "en": "Welcome, {who}!"},
    "logout.done": {"sv": "Du är utloggad.", "en": "You are logged out."},
    "join.heading": {"sv": "Gå med i en trygghetsvandring", "en": "Join a safety walk"},
    "join.intro": {
        "sv": "Skriv koden du fått av den som leder vandringen (sex tecken), eller skanna QR-koden på utskicket.",
        "en": "Type the code from the walk's organiser (six characters), or scan the QR code on the handout.",
    },
    "join.code": {"sv": "Vandringskod", "en": "Walk code"},
    "join.placeholder": {"sv": "t.ex. K7QX3M", "en": "e.g. K7QX3M"},
    "join.submit": {"sv": "Gå med", "en": "Join"},
    "join.unknown": {
        "sv": "Ingen vandring har koden {code}. Kontrollera koden och försök igen.",
        "en": "No walk has the code {code}. Check the code and try again.",
    },
    "join.joined": {"sv": "Du är med i vandringen {title}.", "en": "You have joined the walk {title}."},
    "join.leave": {"sv": "Lämna vandringen", "en": "Leave the walk"},
    "service.missing": {
        "sv": "Anmärkningstjänsten är inte tillgänglig i den här installationen ({why}).",
        "en": "The remark service is not available in this installation ({why}).",
    },
    "service.error": {"sv": "Databasen svarar inte: {why}", "en": "The database does not answer: {why}"},
    # --- GLOSSARY labels shared by the pages ------------------------------------------
    "label.walk": {"sv": "Trygghetsvandring", "en": "Safety walk"},
    "label.remark": {"sv": "Anmärkning", "en": "Remark"},
    "label.new_remark": {"sv": "Ny anmärkning", "en": "New remark"},
    "label.owner": {"sv": "Problemägare", "en": "Problem owner"},
    "label.fixed": {"sv": "Åtgärdat", "en": "Fixed"},
    "label.overdue": {"sv": "Försenad", "en": "Overdue"},
    "label.protocol": {"sv": "Protokoll", "en": "Protocol"},
    "label.situation_picture": {"sv": "Lägesbild", "en": "Situation picture"},
    "label.follow_up": {"sv": "Uppföljning", "en": "Follow-up"},
    "state.ny": {"sv": "Ny", "en": "New"},
    "state.tilldelad": {"sv": "Tilldelad", "en": "Assigned"},
    "state.planerad": {"sv": "Planerad", "en": "Planned"},
    "state.atgardad": {"sv": "Åtgärdad", "en": "Fixed"},
    "state.kontrollerad": {"sv": "Kontrollerad", "en": "Verified"},
    "state.inte_vart_ansvar": {"sv": "Inte vårt ansvar", "en": "Not our responsibility"},
    "state.dubblett": {"sv": "Dubblett", "en": "Duplicate"},
    "state.kan_inte_atgardas": {"sv": "Kan inte åtgärdas", "en": "Cannot be fixed"},
    "bin.3": {"sv": "Het punkt 99 %", "en": "Hot spot 99 %"},
    "bin.2": {"sv": "Het punkt 95 %", "en": "Hot spot 95 %"},
    "bin.1": {"sv": "Het punkt 90 %", "en": "Hot spot 90 %"},
    "bin.0": {"sv": "Ej signifikant", "en": "Not significant"},
    "bin.-1": {"sv": "Kall punkt 90 %", "en": "Cold spot 90 %"},
    "bin.-2": {"sv": "Kall punkt 95 %", "en": "Cold spot 95 %"},
    "bin.-3": {"sv": "Kall punkt 99 %", "en": "Cold spot 99 %"},
}


def add(texts: dict[str, dict[str, str]]) -> None:
    """Add or replace texts (a page's own strings)."""
    for key, value in texts.items():
        if "sv" not in value:
            raise ValueError(f"i18n text '{key}' needs a Swedish ('sv') version")
        TEXTS[key] = value


def lang() -> str:
    """The session's language: "sv" or "en"."""
    try:
        value = st.session_state.get("lang", "sv")
    except Exception:  # outside a Streamlit run
        value = "sv"
    return value if value in LANGUAGES else "sv"


def t(key: str, /, **fields: object) -> str:
    """The text for ``key`` in the session's language, formatted with ``fields``."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang()) or entry["sv"]
    return text.format(**fields) if fields else text
