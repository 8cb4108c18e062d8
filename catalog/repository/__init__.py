"""The only place with SQL: queries over the catalog models (``select()``), per entity group."""
