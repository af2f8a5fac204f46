"""The operator's report on the question log: what was asked, what was not answered, what was voted down."""
