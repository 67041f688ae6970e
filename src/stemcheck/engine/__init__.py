"""The pure engine: readers, retrieval and verdict logic. It never prints and knows no CLI."""
