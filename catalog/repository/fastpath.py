"""Search fast paths for a comune: ordered covering-index ranges of ``service_facet``.

Plain SQL text: these run on every search, and building expression trees would cost more
than the queries themselves. Every service's areas share one scope, so the area scopes of a
comune partition the results and each scope is one index range already in result order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.constants import AREA_SCOPES, TARGET_GROUPS
from catalog.repository.areas import covering_pairs
from catalog.textquery import area_token, category_area_token, postgres_tsquery, sqlite_match

if TYPE_CHECKING:
    from catalog.repository.services import SearchFilters

_PAGE_ORDER = "ORDER BY extra, quality, sort_name, service_id"
_GROUPED_ORDER = "GROUP BY service_id ORDER BY min(extra), min(quality), min(sort_name), service_id"


def _area_sql(
    filters: SearchFilters,
) -> tuple[list[tuple[str, list[str] | None]], list[str], dict[str, Any]]:
    """Scopes in result order, one WHERE clause per scope, and the bound parameters.

    With a comune: its covering areas, narrowest first. Without: every scope, widest first,
    with any value (``None``).
    """
    ordered: list[tuple[str, list[str] | None]]
    if filters.comune is not None:
        groups: dict[str, list[str]] = {}
        for scope, value in covering_pairs(filters.comune):
            groups.setdefault(scope, []).append(value)
        ordered = sorted(groups.items(), key=lambda item: AREA_SCOPES[item[0]][0])
    else:
        scopes = sorted(AREA_SCOPES, key=lambda scope: -AREA_SCOPES[scope][0])
        ordered = [(scope, None) for scope in scopes]
    params: dict[str, Any] = {"category": filters.category}
    base = ["category = :category" if filters.category else "extra = 0"]
    if filters.target_group is not None:
        base.append("(tg_mask & :tg) != 0")
        params["tg"] = 1 << TARGET_GROUPS.index(filters.target_group)
    if filters.age is not None:
        base.append("(min_age IS NULL OR min_age <= :age) AND (max_age IS NULL OR max_age >= :age)")
        params["age"] = filters.age
    wheres = []
    for i, (scope, values) in enumerate(ordered):
        params[f"s{i}"] = scope
        clause = [*base, f"scope = :s{i}"]
        if values is not None:
            names = [f"v{i}_{j}" for j in range(len(values))]
            params.update(zip(names, values, strict=True))
            clause.append(f"value IN ({', '.join(f':{n}' for n in names)})")
        wheres.append(" AND ".join(clause))
    return ordered, wheres, params


def _single(values: list[str] | None) -> bool:
    """One area value: a service has at most one facet row in the range (no grouping)."""
    return values is not None and len(values) == 1


def _rank_and_order(
    ordered: list[tuple[str, list[str] | None]], single: str, grouped: str
) -> tuple[str, str]:
    """The ``rank`` column (area scope) and the ORDER BY that follows it.

    ``single`` when each service has one facet row in the ranges (no GROUP BY), else
    ``grouped`` (aggregated per service).
    """
    ranks = " ".join(
        f"WHEN :s{i} THEN {AREA_SCOPES[scope][0]}" for i, (scope, _) in enumerate(ordered)
    )
    if all(_single(values) for _, values in ordered):
        return f"CASE scope {ranks} END AS rank", f"ORDER BY rank, {single}"
    return f"min(CASE scope {ranks} END) AS rank", f"GROUP BY service_id ORDER BY rank, {grouped}"


def _window(
    session: Session, sql: str, params: dict[str, Any], offset: int, total: Callable[[], int]
) -> tuple[list[tuple[str, int]], int]:
    """Run a page query (``service_id``, ``rank``, ``total``); past the end, ``total()``."""
    result = session.execute(text(sql), params).all()
    if result:
        return [(r.service_id, r.rank) for r in result], result[0].total
    return [], total() if offset else 0


def by_area(
    session: Session, filters: SearchFilters, offset: int, limit: int
) -> tuple[list[tuple[str, int]], int]:
    """No text: count each scope's range (one UNION ALL), read only the ranges needed."""
    ordered, wheres, params = _area_sql(filters)
    counts = " UNION ALL ".join(
        f"SELECT {i} AS i, count({'*' if _single(values) else 'DISTINCT service_id'}) AS n "
        f"FROM service_facet WHERE {wheres[i]}"
        for i, (_, values) in enumerate(ordered)
    )
    sizes = dict(session.execute(text(counts), params).tuples().all())
    rows: list[tuple[str, int]] = []
    start = 0
    for i, (scope, values) in enumerate(ordered):
        size = sizes.get(i, 0)
        if size and offset < start + size and len(rows) < limit:
            window = {"skip": max(0, offset - start), "take": limit - len(rows)}
            order = _PAGE_ORDER if _single(values) else _GROUPED_ORDER
            sql = f"SELECT service_id FROM service_facet WHERE {wheres[i]} {order} "
            page = session.execute(text(sql + "LIMIT :take OFFSET :skip"), {**params, **window})
            rows += [(sid, AREA_SCOPES[scope][0]) for sid in page.scalars()]
        start += size
    return rows, sum(sizes.values())


def by_area_and_text(
    session: Session, filters: SearchFilters, offset: int, limit: int
) -> tuple[list[tuple[str, int]], int]:
    """Comune and text (SQLite): FTS5 hits joined to their facet rows in the comune's ranges.

    FTS5 finds the documents matching the words AND one of the comune's category-in-area
    tokens (without a category: one of its area tokens), intersecting posting lists, so the
    hits are the results (migration 0010; before, the words AND the category token gave every
    match of the category in the region, probed against the facet ranges). The hits are
    materialised once as row ids (no bm25: scoring every match of a common word costs tens of
    milliseconds at 100 000 services) and drive the join. Within an area scope and category
    rank, services whose name/keywords match come before those matching only in the body.
    """
    assert filters.comune is not None
    ordered, wheres, params = _area_sql(filters)
    terms = f"({sqlite_match(list(filters.terms))})"
    pairs = covering_pairs(filters.comune)
    if filters.category:
        # One category-in-area token per facet range of the comune: FTS5 returns the result.
        tokens = [category_area_token(filters.category, s, v) for s, v in pairs]
    else:
        tokens = [area_token(s, v) for s, v in pairs]
    facets = f"facets : ({' OR '.join(tokens)})"
    params.update(q=f"{{title body}} : {terms} AND {facets}", qt=f"title : {terms} AND {facets}")
    params.update(take=limit, skip=offset)
    area = " OR ".join(f"({w})" for w in wheres)
    title_tier = "CASE WHEN search_id IN (SELECT rid FROM titles) THEN 0 ELSE 1 END"
    columns, order = _rank_and_order(
        ordered,
        f"extra, {title_tier}, quality, sort_name, service_id",
        f"min(extra), min({title_tier}), min(quality), min(sort_name), service_id",
    )
    sql = (
        "WITH hits AS MATERIALIZED (SELECT rowid AS rid FROM service_fts "
        "WHERE service_fts MATCH :q), "
        "titles AS MATERIALIZED (SELECT rowid AS rid FROM service_fts "
        "WHERE service_fts MATCH :qt) "
        f"SELECT service_id, {columns}, count(*) OVER () AS total "
        "FROM hits CROSS JOIN service_facet ON service_facet.search_id = hits.rid "
        f"WHERE ({area}) {order} LIMIT :take OFFSET :skip"
    )
    return _window(
        session, sql, params, offset, lambda: by_area_and_text(session, filters, 0, 1)[1]
    )


def by_area_and_text_postgres(
    session: Session, filters: SearchFilters, offset: int, limit: int
) -> tuple[list[tuple[str, int]], int]:
    """Comune and text (PostgreSQL): the comune's facet ranges, kept when the words match.

    The facet ranges of the comune (and category) drive the search; each of their services is
    checked against the stored vector ``tsv_all`` (migration 0009) and only those are ranked
    (``ts_rank``), instead of ranking every match of a common word in the whole catalog. Same
    order as the general path: area scope, primary category, name/keywords match, quality,
    relevance, name; and the total counts every match, with no cap on candidates.
    """
    assert filters.comune is not None
    ordered, wheres, params = _area_sql(filters)
    params.update(q=postgres_tsquery(list(filters.terms)), take=limit, skip=offset)
    area = " OR ".join(f"({w})" for w in wheres)
    columns, order = _rank_and_order(
        ordered,
        "extra, title_tier, quality, score, sort_name, service_id",
        "min(extra), min(title_tier), min(quality), min(score), min(sort_name), service_id",
    )
    matched = (
        "SELECT f.service_id, f.category, f.extra, f.scope, f.value, f.tg_mask, f.min_age, "
        "f.max_age, f.quality, f.sort_name, -ts_rank(ss.tsv_all, tq) AS score, "
        "CASE WHEN ss.tsv_title @@ tq THEN 0 ELSE 1 END AS title_tier "
        "FROM service_facet f JOIN service_search ss ON ss.id = f.search_id "
        "CROSS JOIN to_tsquery('italian', :q) AS tq WHERE ss.tsv_all @@ tq"
    )
    sql = (
        f"SELECT service_id, {columns}, count(*) OVER () AS total FROM ({matched}) m "
        f"WHERE ({area}) {order} LIMIT :take OFFSET :skip"
    )
    return _window(
        session, sql, params, offset, lambda: by_area_and_text_postgres(session, filters, 0, 1)[1]
    )
