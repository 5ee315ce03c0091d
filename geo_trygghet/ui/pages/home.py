"""Start page: what this session's role can do here (Swedish first)."""

from __future__ import annotations

import streamlit as st

from geo_trygghet.ui import auth, state
from geo_trygghet.ui.i18n import add, t

add({
    "home.what_can_i_do": {"sv": "Vad kan jag göra här?", "en": "What can I do here?"},
    "home.public.walk": {
        "sv": "**Är du med på en trygghetsvandring?** Skriv koden du fått, så kan du lämna anmärkningar med mobilen: plats, kategori, en mening och ett foto. Du behöver inget konto.",
        "en": "**Taking part in a safety walk?** Type the code you were given and log remarks with your phone: place, category, a sentence and a photo. No account needed.",
    },
    "home.public.feedback": {
        "sv": "**Vad hände sedan?** Under *Återkoppling* ser alla vad vandringarna hittade och vad som har åtgärdats, område för område. Inga namn, inga foton.",
        "en": "**What happened next?** Under *Feedback* anyone can see what the walks found and what has been fixed, area by area. No names, no photos.",
    },
    "home.public.staff": {
        "sv": "**Arbetar du med trygghetsfrågor** i kommunen, hos polisen eller en fastighetsägare? Logga in (i menyn) för att se dina uppgifter.",
        "en": "**Working on safety** at the municipality, the police or a property owner? Log in (in the menu) to see your tasks.",
    },
    "home.roles": {"sv": "Rollerna", "en": "The roles"},
    "home.role.deltagare": {
        "sv": "går med i en vandring med en kod, lämnar anmärkningar med GPS-position eller ett tryck på kartan, foto, kategori och text, och ser vandringens numrerade anmärkningar.",
        "en": "joins a walk with a code, logs remarks with a GPS position or a tap on the map, a photo, a category and a text, and sees the walk's numbered remarks.",
    },
    "home.role.problemagare": {
        "sv": "ser anmärkningarna som tilldelats den egna organisationen, planerar åtgärder med datum, markerar dem åtgärdade eller svarar \"inte vårt ansvar\".",
        "en": "sees the remarks assigned to their organisation, plans measures with a date, marks them fixed or answers \"not our responsibility\".",
    },
    "home.role.analytiker": {
        "sv": "läser in brottsdata, hittar hot spots (Gi*), bygger lägesbilden med trender, veckodagar och timmar, planerar vandringar, tilldelar problemägare och följer upp åtgärdernas effekt mot kontrollområden.",
        "en": "loads incident data, finds hot spots (Gi*), builds the situation picture with trends, weekdays and hours, plans walks, assigns problem owners and evaluates measures against control areas.",
    },
    "home.role.admin": {
        "sv": "gör allt analytikern gör och sköter dessutom organisationer, användare, kategorier och vandringar.",
        "en": "does everything an analyst does and also manages organisations, users, categories and walks.",
    },
    "home.you.deltagare": {
        "sv": "Du är med i vandringen med koden **{code}**. Välj *Ny anmärkning* i menyn för att lämna en anmärkning, eller se vandringens anmärkningar på kartan.",
        "en": "You are in the walk with the code **{code}**. Choose *New remark* in the menu to log a remark, or see the walk's remarks on the map.",
    },
    "home.you.problemagare": {
        "sv": "Som problemägare ser du anmärkningarna som tilldelats din organisation, på karta och i lista. Planera en åtgärd med datum, markera den åtgärdad med datum och kommentar, eller svara \"inte vårt ansvar\" med ett skäl.",
        "en": "As a problem owner you see the remarks assigned to your organisation, on a map and in a list. Plan a measure with a date, mark it fixed with a date and a note, or answer \"not our responsibility\" with a reason.",
    },
    "home.you.analytiker": {
        "sv": "Som analytiker läser du in brottsdata och hittar hot spots, bygger lägesbilden (trender, säsong, veckodag och timme, nivå per 100 000 invånare), planerar vandringar, tilldelar problemägare och följer upp åtgärdernas effekt mot kontrollområden.",
        "en": "As an analyst you load incident data and find hot spots, build the situation picture (trends, season, weekday and hour, rate per 100,000 inhabitants), plan walks, assign problem owners and evaluate measures against control areas.",
    },
    "home.you.admin": {
        "sv": "Som administratör kan du allt som analytikern kan och sköter dessutom organisationer, användare, kategorier och vandringar.",
        "en": "As an administrator you can do everything an analyst can and also manage organisations, users, categories and walks.",
    },
    "home.menu_hint": {
        "sv": "Sidorna finns i menyn till vänster (på mobilen: tryck på menyknappen uppe till vänster).",
        "en": "The pages are in the menu on the left (on a phone: tap the menu button at the top left).",
    },
})

role = state.role()
st.title(t("app.title"))
st.caption(t("app.tagline"))

if role == state.PUBLIC:
    st.subheader(t("home.what_can_i_do"))
    st.markdown(t("home.public.walk"))
    auth.join_form("home_join")
    st.markdown(t("home.public.feedback"))
    st.markdown(t("home.public.staff"))
    with st.expander(t("home.roles")):
        for r in (state.DELTAGARE, state.PROBLEMAGARE, state.ANALYTIKER, state.ADMIN):
            st.markdown(f"**{t('role.' + r)}** {t('home.role.' + r)}")
elif role == state.DELTAGARE:
    st.info(t("home.you.deltagare", code=st.session_state.get(state.WALK_CODE) or "–"))
else:
    st.markdown(t("home.you." + role))
st.caption(t("home.menu_hint"))
