"""policygraph: Chinese government implementation plans → a knowledge graph of tasks, agencies and targets."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
