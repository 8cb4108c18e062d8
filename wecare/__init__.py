"""WeCare Assistant: shared helpers (settings, Italian text normalisation) and the CLI."""
