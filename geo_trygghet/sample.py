"""Load the sample municipality (``sample_data/``) into the remark database.

:func:`load_sample` creates the problemägare of ``organisations.csv`` (with
their categories and areas from ``omraden.geojson``), demo users, the walks of
``walks.csv`` (date, group, organiser, area) and imports each walk's protocol
(``protokoll_*.xlsx``) with :func:`geo_trygghet.remarks.importer.import_protocol`:
owners assigned and fixed dates written as back-dated events, so every
remark has a real history. One walk has state planerad and no protocol: it takes
remarks, so a newcomer can try the participants' form at once (the summary names
its join code and link). Last the åtgärdsplan of ``atgardsplan_2024.json``
(:mod:`geo_trygghet.actionplan.sample_plan`), whose actions gather the walks' remarks.
Running it again changes nothing (idempotent);
``force=True`` also resets the demo passwords and the organisations' details.

Demo accounts (for trying the app; change or remove them in a real
installation)::

    admin        admin-demo         admin
    analytiker   analytiker-demo    analytiker
    <org>        <org>-demo         problemägare of one organisation each, e.g.
                                    gatukontoret / gatukontoret-demo

:data:`DEMO_USERS` lists them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, NotFoundError
from .ingest.columns import norm
from .remarks import states as st

__all__ = ["DEMO_PASSWORD_SUFFIX", "DEMO_USERS", "SAMPLE_DIR", "SampleSummary", "demo_users", "load_sample",
           "sample_info"]

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
DEMO_PASSWORD_SUFFIX = "-demo"
#: The fixed demo accounts: (username, password, role). Problemägare accounts are
#: made per organisation by :func:`demo_users` (``<first word of the name>`` / ``<that>-demo``).
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin-demo", st.ADMIN),
    ("analytiker", "analytiker-demo", st.ANALYTIKER),
)


@dataclass(frozen=True)
class SampleSummary:
    """What :func:`load_sample` did. ``open_walks``: (title, join code, join link) of the
    walks that take remarks, for trying the participants' form at once."""

    sample_dir: str
    organisations_created: int
    users_created: int
    walks_created: int
    remarks_imported: int
    remarks_present: int
    users: tuple[tuple[str, str, str, str | None], ...] = ()  # username, password, role, organisation
    walks: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    open_walks: tuple[tuple[str, str, str], ...] = ()
    plan: str | None = None  # what happened to the sample's åtgärdsplan, one line

    def summary_lines(self) -> list[str]:
        lines = [
            (f"sample municipality from {self.sample_dir}: {len(self.walks)} walks "
            f"({self.walks_created} new), {self.remarks_imported} remarks imported, "
            f"{self.remarks_present} already present, {self.organisations_created} problemägare and "
            f"{self.users_created} users added")
        ]
        lines.append("demo logins (user / password / role):")
        lines.extend(f"  {u} / {p} / {r}" + (f" ({o})" if o else "") for u, p, r, o in self.users)
        lines.extend(_open_walk_lines(self.open_walks))
        if self.plan:
            lines.append(self.plan)
        lines.extend(f"  note: {n}" for n in self.notes)
        return lines


def _open_walk_lines(open_walks: tuple[tuple[str, str, str], ...] | list[tuple[str, str, str]]) -> list[str]:
    if not open_walks:
        return []
    lines = ["walks open for remarks (try the participants' form on a phone):"]
    lines.extend(f"  {title}: code {code}, link {link}" for title, code, link in open_walks)
    return lines


def _open_walks(service: Any) -> tuple[tuple[str, str, str], ...]:
    from .remarks import Actor
    from .remarks.joinlink import base_url, join_url

    walks = [w for w in service.list_walks(Actor.system()) if w.is_open_for_remarks]
    return tuple((w.title, w.join_code, join_url(base_url(), w.join_code)) for w in sorted(walks, key=lambda w: w.id))


def _walk_state(text: str) -> str | None:
    """A walk state's slug from walks.csv (its slug or Swedish label, any case)."""
    key = norm(text)
    for slug in st.WALK_STATES:
        if key in (slug, norm(st.walk_state_label(slug, "sv"))):
            return slug
    return None


def _username(org_name: str, taken: set[str]) -> str:
    base = norm(org_name).split("_")[0] or "problemagare"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}{i}", i + 1
    taken.add(name)
    return name


def demo_users(organisations: list[str]) -> list[tuple[str, str, str, str | None]]:
    """Every demo account: (username, password, role, organisation name or None)."""
    out: list[tuple[str, str, str, str | None]] = [(u, p, r, None) for u, p, r in DEMO_USERS]
    taken = {u for u, _, _ in DEMO_USERS}
    for org in organisations:
        user = _username(org, taken)
        out.append((user, f"{user}{DEMO_PASSWORD_SUFFIX}", st.PROBLEMAGARE, org))
    return out


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        msg = f"sample file {path} is missing: run python sample_data/make_sample.py or give --dir"
        raise InputError(msg)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _areas(sample_dir: Path) -> dict[str, Any]:
    import geopandas as gpd

    path = sample_dir / "omraden.geojson"
    if not path.is_file():
        return {}
    gdf = gpd.read_file(path).to_crs("EPSG:4326")
    return {str(n): g for n, g in zip(gdf["name"], gdf.geometry, strict=True)}


def _area_json(names: str, areas: dict[str, Any]) -> str | None:
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    geoms = [areas[n.strip()] for n in names.split("|") if n.strip() in areas]
    if not geoms:
        return None
    return json.dumps(mapping(unary_union(geoms)))


def load_sample(service: Any, sample_dir: str | Path | None = None, *, force: bool = False) -> SampleSummary:
    """Load the sample municipality into ``service``'s database (idempotent; see the module docs)."""
    root = Path(sample_dir) if sample_dir is not None else SAMPLE_DIR
    if not root.is_dir():
        msg = f"sample folder {root} does not exist: give the folder with walks.csv and organisations.csv"
        raise InputError(msg)
    load = _Load(service, root, force)
    orgs_created, org_ids = load.organisations(_read_csv(root / "organisations.csv"))
    users = demo_users(list(org_ids))
    users_created = load.users(users, org_ids)
    titles, walks_created, imported, present = load.walks(_read_csv(root / "walks.csv"))
    from .actionplan.sample_plan import load_sample_plan

    plan = load_sample_plan(service, root, actor=load.actor)
    return SampleSummary(
        sample_dir=str(root), organisations_created=orgs_created, users_created=users_created,
        walks_created=walks_created, remarks_imported=imported, remarks_present=present,
        users=tuple(users), walks=tuple(titles), notes=tuple(load.notes), open_walks=_open_walks(service),
        plan=plan.line() if plan is not None else None,
    )


class _Load:
    """The steps of :func:`load_sample`: problemägare, demo users, walks with their protocols."""

    def __init__(self, service: Any, root: Path, force: bool) -> None:
        from .remarks import Actor

        self.service, self.root, self.force = service, root, force
        self.actor = Actor.system()
        self.areas = _areas(root)
        self.notes: list[str] = []

    def organisations(self, orgs_df: pd.DataFrame) -> tuple[int, dict[str, int]]:
        existing = {o.name: o for o in self.service.list_organisations()}
        created = 0
        org_ids: dict[str, int] = {}
        for row in orgs_df.to_dict("records"):
            name = " ".join(str(row.get("name", "")).split())
            if not name:
                continue
            details = {"kind": str(row.get("kind", "")).strip() or None,
                       "email": str(row.get("email", "")).strip() or None,
                       "categories": self._categories(name, str(row.get("categories", ""))),
                       "area": _area_json(str(row.get("areas", "")), self.areas)}
            if name in existing:
                org = existing[name]
                if self.force:
                    org = self.service.update_organisation(self.actor, org.id, **details)
            else:
                org = self.service.create_organisation(self.actor, name, **details)
                created += 1
            org_ids[name] = org.id
        return created, org_ids

    def _categories(self, org: str, labels: str) -> list[str]:
        from .remarks.categories import category_from_label

        cats: list[str] = []
        for label in labels.split("|"):
            if label.strip():
                slug, known = category_from_label(label)
                if not known:
                    self.notes.append(f"organisation '{org}': unknown category '{label}' left out")
                elif slug not in cats:
                    cats.append(slug)
        return cats

    def users(self, users: list[tuple[str, str, str, str | None]], org_ids: dict[str, int]) -> int:
        have = {u.username for u in self.service.list_users(self.actor)}
        created = 0
        for username, password, role, org in users:
            if username in have:
                if self.force:
                    self.service.set_password(self.actor, username, password)
                continue
            self.service.create_user(self.actor, username, password, role, display_name=org or username.capitalize(),
                                     organisation_id=org_ids[org] if org else None)
            created += 1
        return created

    def walks(self, walks_df: pd.DataFrame) -> tuple[list[str], int, int, int]:
        from .remarks.importer import import_protocol

        created = imported = present = 0
        titles = []
        for row in walks_df.to_dict("records"):
            title = " ".join(str(row.get("title", "")).split())
            if not title:
                continue
            titles.append(title)
            walk, new = self._walk(title, row)
            created += new
            protocol = str(row.get("protocol", "")).strip()
            if protocol and not (self.root / protocol).is_file():
                self.notes.append(f"walk '{title}': protocol {protocol} is missing")
            elif protocol:
                summary = import_protocol(self.service, self.root / protocol, title, actor=self.actor)
                imported += summary.imported
                present += summary.already_present
                self.notes.extend(f"{protocol}: {n}" for n in summary.notes if "look like" not in n)
            state = _walk_state(str(row.get("state", "")))
            for step in st.walk_path(walk.state, state) if state else ():
                self.service.set_walk_state(self.actor, title, step)
        return titles, created, imported, present

    def _walk(self, title: str, row: dict[Any, Any]) -> tuple[Any, bool]:
        try:
            return self.service.get_walk(title), False
        except NotFoundError:
            area_name = str(row.get("area", "")).strip()
            walk = self.service.create_walk(
                self.actor, title, area=_area_json(area_name, self.areas) if area_name else None,
                walk_date=row.get("date") or None, group=row.get("group") or None,
                organiser=row.get("organiser") or None)
            return walk, True


def sample_info(service: Any) -> list[str]:
    """Lines describing what the database holds (walks, remarks by state, demo logins)."""
    from .remarks import Actor

    actor = Actor.system()
    lines = []
    walks = service.list_walks(actor)
    lines.append(f"{len(walks)} walks:")
    for w in walks:
        remarks = service.list_remarks(actor, walk=w)
        by_state: dict[str, int] = {}
        for r in remarks:
            by_state[r.state_label()] = by_state.get(r.state_label(), 0) + 1
        states = ", ".join(f"{n} {s.lower()}" for s, n in sorted(by_state.items()))
        date = w.walk_date.isoformat() if w.walk_date else "no date"
        lines.append(f"  {w.title} ({date}, {w.state_label()}, code {w.join_code}): {len(remarks)} remarks"
                     + (f" — {states}" if states else ""))
    orgs = service.list_organisations()
    lines.append(f"{len(orgs)} problemägare: " + ", ".join(o.name for o in orgs))
    from .actionplan import PlanService

    plans = PlanService(service.store).list_plans(actor)
    lines.append(f"{len(plans)} åtgärdsplaner" + (": " + ", ".join(p.title for p in plans) if plans else ""))
    lines.extend(_open_walk_lines(_open_walks(service)))
    known = {u.username: u for u in service.list_users(actor)}
    demo = [d for d in demo_users([o.name for o in orgs]) if d[0] in known]
    if demo:
        lines.append("demo logins (user / password / role), if not changed:")
        lines.extend(f"  {u} / {p} / {r}" + (f" ({o})" if o else "") for u, p, r, o in demo)
    return lines
