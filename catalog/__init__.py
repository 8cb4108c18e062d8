"""Service catalog: SQLAlchemy 2 models, migrations, seed loader, search and the service facade.

Actions and the gateway use only :mod:`catalog.service`; SQL lives in :mod:`catalog.repository`.
"""
