"""Idempotent loader of ``catalog_data/`` into the catalog database.

``load`` validates every seed file first (nothing is written when a file is wrong), then
synchronises each table with the files: new ids are added, changed records (content hash)
replaced, ids no longer in the files removed, the rest left alone. Running it twice changes
nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from catalog import builders
from catalog.db import downgrade, session_scope, upgrade
from catalog.models import (
    Comune,
    ComuneFuoriArea,
    EnteGestore,
    Opportunity,
    Organization,
    Service,
)
from catalog.repository.maintenance import analyze
from catalog.seedfiles import SeedData, SeedFileError, instantiate_templates, read_seed
from catalog.validation import validate

logger = logging.getLogger(__name__)


@dataclass
class Counts:
    """What the loader did to one table."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True when rows were added, updated or removed."""
        return bool(self.added or self.updated or self.removed)


@dataclass
class LoadReport:
    """Per-table counts of a load."""

    tables: dict[str, Counts] = field(default_factory=dict)
    reset: bool = False

    @property
    def changed(self) -> bool:
        """True when anything was written."""
        return any(c.changed for c in self.tables.values())

    def lines(self) -> list[str]:
        """One human-readable line per table."""
        return [
            f"{name:<18} {c.added:>4} added {c.updated:>4} updated {c.removed:>4} removed "
            f"{c.unchanged:>4} unchanged"
            for name, c in self.tables.items()
        ]


def read_and_validate(data_dir: Path) -> SeedData:
    """Read and validate the seed files; raise :class:`SeedFileError` listing every problem."""
    data = read_seed(data_dir)
    errors = validate(data)
    if errors:
        raise SeedFileError(errors)
    return data


def _default_dir() -> Path:
    from wecare.settings import get_settings

    return get_settings().catalog_data_dir


def load(engine: Engine, data_dir: Path | None = None, reset: bool = False) -> LoadReport:
    """Upgrade the schema and synchronise the database with the seed files.

    Args:
        engine: catalog database.
        data_dir: seed folder (default: ``CATALOG_DATA_DIR`` / ``catalog_data/``).
        reset: drop every catalog table first (then reload from scratch).

    Returns:
        What was added, updated, removed and left unchanged, per table.

    Raises:
        SeedFileError: a seed file is missing or invalid (nothing is written).
    """
    data = read_and_validate(data_dir or _default_dir())
    if reset:
        downgrade(engine, "base")
    upgrade(engine)
    report = LoadReport(reset=reset)
    enti = {str(e["id"]): e for e in data.enti}
    providers = {str(o["id"]): str(o["name"]) for o in data.organizations + data.enti}
    services = data.services + instantiate_templates(data.templates, data.enti)
    with session_scope(engine) as session:
        report.tables["organizations"] = _sync(
            session,
            Organization,
            [builders.organization(r) for r in data.organizations]
            + [builders.ente_organization(r) for r in enti.values()],
            children=("locations",),
        )
        report.tables["enti_gestori"] = _sync(
            session,
            EnteGestore,
            [builders.ente_gestore(r) for r in enti.values()],
            children=("contacts",),
        )
        report.tables["comuni"] = _sync(
            session, Comune, [builders.comune(r) for r in data.comuni], key="istat_code"
        )
        report.tables["comuni_fuori_area"] = _sync(
            session,
            ComuneFuoriArea,
            [builders.comune_fuori_area(r) for r in data.comuni_fuori_area],
            key="name",
            hashed=False,
        )
        report.tables["services"] = _sync(
            session,
            Service,
            [builders.service(r, providers[str(r["organization"])]) for r in services],
            replace=True,
        )
        report.tables["opportunities"] = _sync(
            session,
            Opportunity,
            [builders.opportunity(r) for r in data.opportunities],
            replace=True,
        )
        _remove_stale(session, report)
    if report.changed:
        analyze(engine)
    logger.info("catalog load: %s", "; ".join(report.lines()))
    return report


_PENDING_REMOVALS = "_pending_removals"


def _sync(
    session: Session,
    model: type[Any],
    rows: list[Any],
    key: str = "id",
    children: tuple[str, ...] = (),
    replace: bool = False,
    hashed: bool = True,
) -> Counts:
    """Bring the table of ``model`` in line with ``rows`` (removals deferred to the end)."""
    counts = Counts()
    existing = {getattr(o, key): o for o in session.scalars(select(model))}
    wanted = {getattr(o, key): o for o in rows}
    for ident, new in wanted.items():
        old = existing.get(ident)
        if old is None:
            session.add(new)
            counts.added += 1
        elif hashed and old.content_hash == new.content_hash:
            counts.unchanged += 1
        elif not hashed and _same_columns(old, new):
            counts.unchanged += 1
        elif replace:
            session.delete(old)
            session.flush()
            session.add(new)
            counts.updated += 1
        else:
            for column in model.__mapper__.column_attrs:
                setattr(old, column.key, getattr(new, column.key))
            for name in children:
                items = list(getattr(new, name))
                setattr(new, name, [])  # detach first: a back-reference would cascade `new`
                setattr(old, name, items)
            counts.updated += 1
    stale = [o for ident, o in existing.items() if ident not in wanted]
    counts.removed = len(stale)
    session.info.setdefault(_PENDING_REMOVALS, []).append(stale)
    session.flush()
    return counts


def _same_columns(old: Any, new: Any) -> bool:
    return all(
        getattr(old, c.key) == getattr(new, c.key) for c in type(old).__mapper__.column_attrs
    )


def _remove_stale(session: Session, report: LoadReport) -> None:
    """Delete rows no longer in the files, dependants (services) before their providers."""
    for stale in reversed(session.info.pop(_PENDING_REMOVALS, [])):
        for obj in stale:
            session.delete(obj)
        session.flush()


def is_loaded(engine: Engine) -> bool:
    """True when the schema exists and holds at least one service."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table("service"):
        return False
    with session_scope(engine) as session:
        return bool(session.scalar(select(func.count()).select_from(Service)))


def ensure_loaded(engine: Engine, data_dir: Path | None = None) -> LoadReport | None:
    """Upgrade the schema and load the seed files when the catalog is empty.

    Used by ``wecare run``: a catalog that already holds services is left alone (reload it
    with ``wecare catalog load``).

    Returns:
        The load report, or None when the catalog was already loaded.
    """
    upgrade(engine)
    if is_loaded(engine):
        return None
    return load(engine, data_dir)
