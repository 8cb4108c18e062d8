"""The public, read-only HSDS 3.0 API of the catalog (``/hsds/``)."""
