"""stemcheck: fact-check claims about stem cell therapy against a dated, sourced knowledge base."""

__version__ = "0.1.0"
SCHEMA_VERSION = 1  # the JSON result contract (DESIGN.md); bump only with a note
