"""What users see, built from an Answer: rich text, Telegram HTML, terminal text, button payloads.

Imports the core, never Telegram.
"""
