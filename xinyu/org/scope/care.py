"""Who may see and do what in the key-concern registry, care plans and dorm check-ins (issue 5)."""
