"""The Telegram glue: the Application (composition root), handlers, transport and logging."""
