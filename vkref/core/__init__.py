"""Core: entities, vocabulary, errors, text folding and paths. Standard library and platformdirs only."""
