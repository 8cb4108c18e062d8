"""WeCare Assistant: shared, dependency-free helpers (settings, Italian text normalisation) and the CLI."""
