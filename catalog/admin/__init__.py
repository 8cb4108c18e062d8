"""Catalog administration: edit services, opportunities and enti gestori with a history.

:class:`catalog.admin.editor.CatalogEditor` is the synchronous API used by the console's
admin section (through an async facade) and by ``wecare catalog`` (list, show, create, edit,
deactivate, history, stale, expiring); records travel in the seed format of
``catalog_data/`` (docs/contracts.md), so :mod:`catalog.seed_export` can write them back.
"""
