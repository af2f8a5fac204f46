"""Adding an article: read a source, learn its terms, cut its passages, write its YAML.

Uses the core, never Telegram.
"""
