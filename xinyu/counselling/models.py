"""Counselling (心理咨询): rooms, availability, bookings, sessions and their confidential notes."""
