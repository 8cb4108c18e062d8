"""Custom Rasa 3.6 NLU components (``config.yml``: ``nlu.components.<module>.<Class>``)."""
