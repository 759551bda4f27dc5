"""llmcat: inspect and reassemble recorded LLM API calls."""

__version__ = "0.1.0"
