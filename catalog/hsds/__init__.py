"""Open Referral HSDS 3.0 views of the catalog (read-only): mapping and paginated queries."""

from catalog.hsds.query import Filters, HsdsCatalog, UnknownPostcode

__all__ = ["Filters", "HsdsCatalog", "UnknownPostcode"]
