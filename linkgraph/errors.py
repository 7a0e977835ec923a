"""The one exception type users see: its message is a single line that says what is wrong and where."""


class LinkgraphError(Exception):
    """An error a user can act on; the CLI prints its message as one line, without a traceback."""
