"""Full-text matching per dialect: SQLite FTS5 or PostgreSQL ``tsvector`` ('italian')."""

from __future__ import annotations

from sqlalchemy import CTE, Float, Integer, String, column, text
from sqlalchemy.orm import Session

from catalog.textquery import postgres_tsquery, sqlite_match

# ``in_title``: the name/keywords match (PostgreSQL; SQLite's fast path, used for every search
# with a comune, tells title from body matches itself, so the general path here gives 0).
_SQLITE = (
    "SELECT ss.service_id AS service_id, bm25(service_fts, 5.0, 1.0, 0.0) AS score, "
    "0 AS in_title "
    "FROM service_fts JOIN service_search ss ON ss.id = service_fts.rowid "
    "WHERE service_fts MATCH :fts_query ORDER BY score LIMIT :fts_limit"
)
# Stored generated vectors of migration 0009 (``tsv_all`` carries the GIN index): reading
# them instead of calling to_tsvector() per match keeps ts_rank and the recheck cheap.
_POSTGRES = (
    "SELECT ss.service_id AS service_id, "
    "-ts_rank(ss.tsv_all, to_tsquery('italian', :fts_query)) AS score, "
    "CAST(ss.tsv_title @@ to_tsquery('italian', :fts_query) AS INTEGER) AS in_title "
    "FROM service_search ss WHERE ss.tsv_all @@ to_tsquery('italian', :fts_query) "
    "ORDER BY score LIMIT :fts_limit"
)
# At most this many best text matches are considered (then filtered by area and category).
TEXT_CANDIDATES = 2000


def text_matches(session: Session, terms: list[str]) -> CTE:
    """Materialised CTE ``(service_id, score, in_title)`` of the best matches of any term.

    ``score``: lower is better; ``in_title``: 1 when the name or keywords match.

    Materialised so that the full-text engine runs once per search, not once per candidate.
    """
    if session.get_bind().dialect.name == "postgresql":
        statement = text(_POSTGRES).bindparams(fts_query=postgres_tsquery(terms))
    else:
        words = f"{{title body}} : ({sqlite_match(terms)})"  # not the facet tokens
        statement = text(_SQLITE).bindparams(fts_query=words)
    statement = statement.bindparams(fts_limit=TEXT_CANDIDATES)
    columns = statement.columns(
        column("service_id", String), column("score", Float), column("in_title", Integer)
    )
    return columns.cte("fts").prefix_with("MATERIALIZED")
