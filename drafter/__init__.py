"""drafter: draft Chinese township work summaries and prove every number comes from the facts."""

__version__ = "0.1.0"
