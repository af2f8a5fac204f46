"""The local Bot API server and the console that lets you chat with the real bot through it."""
