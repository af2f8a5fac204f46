"""Answer questions about a Chinese news article, in Telegram and on the command line."""

__version__ = "0.1.0"
