"""Who may see and do what in counselling: availability, bookings, sessions, and the T4 notes (issue 5)."""
