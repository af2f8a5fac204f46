"""The question log and votes: one interface (:class:`~bot.store.log.QuestionLog`), SQLite or PostgreSQL."""
