"""The comune resolver of ASL TO4: pure Python, importable from both environments.

Used by the NLU's ``ComuneExtractor`` (inside the Rasa server: SQLAlchemy 1.4 there, so nothing
here may import SQLAlchemy), by ``catalog.service.CatalogService.resolve_comune`` and by the
actions' form validation. It reads its data through :mod:`catalog.comuni.data` only.

    resolver = default_resolver()          # or ComuneResolver(read_resolver_data(dir))
    resolver.find("abito a setimo")        # [Mention(value="Settimo Torinese", kind="fuzzy", …)]
    resolver.resolve("10082")              # Resolution(name="Cuorgnè", how="cap", …)
    resolver.resolve("cuorgnee")           # Resolution(suggestions=("Cuorgnè",), …)
"""

from catalog.comuni.answers import comune_candidate, looks_like_comune_answer
from catalog.comuni.data import ComuneRecord, NameLists, ResolverData, read_resolver_data
from catalog.comuni.fuzzy import edit_distance, max_typos
from catalog.comuni.index import Mention, NameIndex
from catalog.comuni.resolver import ComuneResolver, Resolution, default_resolver, name_keys

__all__ = [
    "ComuneRecord",
    "ComuneResolver",
    "Mention",
    "NameIndex",
    "NameLists",
    "Resolution",
    "ResolverData",
    "comune_candidate",
    "default_resolver",
    "edit_distance",
    "looks_like_comune_answer",
    "max_typos",
    "name_keys",
    "read_resolver_data",
]
