class DomainError(Exception):
    """A rule of Xinyu's work was not met; the message is for the person who tried. Each app's errors
    subclass it, so a view, a command or a task can report any of them the same way."""
