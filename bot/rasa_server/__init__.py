"""Code that runs inside the Rasa server (``.venv-rasa``): only Rasa's own dependencies here.

Configured in ``bot/endpoints.yml``; importable there because ``scripts/setup.sh`` puts the
project root on the Rasa environment's path.
"""
