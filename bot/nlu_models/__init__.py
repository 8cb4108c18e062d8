"""Model registry and retraining in a separate process (issue 12; docs/nlu_inbox.md)."""
