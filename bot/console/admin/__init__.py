"""The admin area of the console (``/console/admin``): same login and session, sections by role.

The area is a shell: the composition root (``bot.app``) passes the sections (NLU inbox and
models, catalog editing, analytics...) as :class:`AdminSection` values with their routers;
the shell checks the roles, draws the navigation and serves the index. Roles: ``admin``
everything; ``editor`` (bound to enti gestori) the catalog sections only; operators and
supervisors get 403 on every admin URL and API.
"""

from bot.console.admin.sections import AdminSection

__all__ = ["AdminSection"]
