"""Run-time speed-up for the Rasa process: ``jsonschema.validate`` with a cached validator.

Rasa 3.6 checks every action-server response with ``jsonschema.validate(result, schema)``
(``RemoteAction._validate_action_result``). jsonschema 4.17 re-checks the schema itself and
builds a new validator on every call: about 35 ms of CPU per custom action on an idle core of
this machine (108 ms under load), more than NLU and dialogue prediction together
(docs/running.md). This module replaces ``jsonschema.validate`` with a drop-in that checks each
distinct schema once and re-uses its validator; the result (``None`` or the same best-match
``ValidationError``/``SchemaError``) is unchanged.

It is applied by ``install()``, which the ``.pth`` file written by ``scripts/setup.sh`` calls in
every interpreter of ``.venv-rasa`` (so the Rasa server gets it without patching Rasa).
"""

from __future__ import annotations

import json
import threading
from typing import Any

_MAX_SCHEMAS = 64
_lock = threading.Lock()
_validators: dict[str, Any] = {}
_installed = False


def cached_validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """Same contract as :func:`jsonschema.validate`, with one validator per distinct schema.

    Raises:
        jsonschema.exceptions.SchemaError: the schema itself is invalid (checked once).
        jsonschema.exceptions.ValidationError: the instance does not match the schema.
    """
    from jsonschema import exceptions, validators

    if args or kwargs:
        return _original_validate(instance, schema, cls, *args, **kwargs)
    try:
        key = json.dumps(schema, sort_keys=True, default=repr) + f"|{cls!r}"
    except (TypeError, ValueError):
        return _original_validate(instance, schema, cls)
    validator = _validators.get(key)
    if validator is None:
        klass = cls if cls is not None else validators.validator_for(schema)
        klass.check_schema(schema)
        validator = klass(schema)
        with _lock:
            if len(_validators) >= _MAX_SCHEMAS:
                _validators.clear()
            _validators[key] = validator
    error = exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error
    return None


def _original_validate(*args: Any, **kwargs: Any) -> None:
    return _ORIGINAL(*args, **kwargs)  # type: ignore[no-any-return]


_ORIGINAL: Any = None


def install() -> None:
    """Replace ``jsonschema.validate`` (module and package attribute) once per process."""
    global _installed, _ORIGINAL
    if _installed:
        return
    try:
        import jsonschema
        import jsonschema.validators
    except ImportError:  # not the Rasa environment
        return
    _ORIGINAL = jsonschema.validators.validate
    jsonschema.validate = cached_validate  # type: ignore[assignment]
    jsonschema.validators.validate = cached_validate  # type: ignore[assignment]
    _installed = True
