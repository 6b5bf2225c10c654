"""Who may open a student file, and who may see who opened it (issue 5)."""
