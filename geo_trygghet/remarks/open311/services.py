"""The remark categories as Open311 services: codes, names, groups, and the attributes they take.

Every remark category is a service (``service_code`` = the category slug), ``type`` realtime (a
POST answers with the request's id at once). Services are grouped: the physical place, its upkeep,
traffic, the positive remark, and the rest. Each service takes the walk form's optional extras as
attributes: ``feeling`` (how safe the place feels, 1–5) and one score per factor (0 = poor,
3 = good), so ``metadata`` is true and ``services/{code}`` lists them. Names and descriptions are
the catalogue's (``category.*``, ``o311.*``), Swedish or English.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...i18n import text
from .. import states as st
from ..categories import REMARK_CATEGORIES, category_label

#: The group of each category (``o311.group.<slug>`` words it).
GROUPS: dict[str, str] = {
    "belysning": "plats", "buskage": "plats", "gangtunnel": "plats", "orienterbarhet": "plats",
    "klotter": "skotsel", "skadegorelse": "skotsel", "nedskrapning": "skotsel", "overgivet_foremal": "skotsel",
    "trafik": "trafik", "trygg_plats": "positivt", "annat": "ovrigt",
}  # fmt: skip
FEELING = "feeling"
FEELING_VALUES = (1, 2, 3, 4, 5)
FACTOR_VALUES = (0, 1, 2, 3)


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition (the specification's fields)."""

    code: str
    datatype: str
    required: bool
    order: int
    description: str
    values: tuple[tuple[str, str], ...]  # (key, name)
    variable: bool = True
    datatype_description: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"variable": self.variable, "code": self.code, "datatype": self.datatype,
                "required": self.required, "datatype_description": self.datatype_description,
                "order": self.order, "description": self.description,
                "values": [{"key": k, "name": n} for k, n in self.values]}


def is_service(code: str | None) -> bool:
    return code in REMARK_CATEGORIES


def service_list(lang: str = "sv") -> list[dict[str, object]]:
    """GET services: every category, in the walk form's order."""
    out: list[dict[str, object]] = []
    for slug in REMARK_CATEGORIES:
        sv, en = category_label(slug, "sv"), category_label(slug, "en")
        out.append({
            "service_code": slug, "service_name": category_label(slug, lang),
            "description": text(f"o311.service.{slug}", lang), "metadata": bool(attributes(slug, lang)),
            "type": "realtime", "keywords": ", ".join(dict.fromkeys((slug, sv.lower(), en.lower()))),
            "group": text(f"o311.group.{GROUPS.get(slug, 'ovrigt')}", lang),
        })
    return out


def attributes(code: str, lang: str = "sv") -> list[Attribute]:
    """The attributes of service ``code`` (every category takes the feeling and the factor scores)."""
    if not is_service(code):
        return []
    feeling = Attribute(
        code=FEELING, datatype="singlevaluelist", required=False, order=1,
        description=text("o311.attr.feeling", lang),
        values=tuple((str(v), text(f"o311.value.feeling.{v}", lang)) for v in FEELING_VALUES))
    factors = [
        Attribute(code=name, datatype="singlevaluelist", required=False, order=i,
                  description=text("o311.attr.factor", lang, factor=st.factor_label(name, lang)),
                  values=tuple((str(v), text(f"o311.value.factor.{v}", lang)) for v in FACTOR_VALUES))
        for i, name in enumerate(st.FACTORS, start=2)
    ]
    return [feeling, *factors]


def service_definition(code: str, lang: str = "sv") -> dict[str, object]:
    """GET services/{code}: the service's code and its attributes."""
    return {"service_code": code, "attributes": [a.as_dict() for a in attributes(code, lang)]}


__all__ = ["FACTOR_VALUES", "FEELING", "FEELING_VALUES", "GROUPS", "Attribute", "attributes", "is_service",
           "service_definition", "service_list"]
