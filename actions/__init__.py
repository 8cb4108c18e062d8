"""Custom actions of WeCare Assistant (rasa-sdk), split by feature; see docs/actions.md.

Start the action server with ``python -m actions`` (port from ``ACTION_SERVER_PORT``) or
``python -m rasa_sdk --actions actions -p 5055``: rasa-sdk imports every submodule and
registers every non-abstract ``Action`` subclass.
"""
