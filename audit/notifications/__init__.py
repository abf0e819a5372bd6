"""Notifications: telling users about work that concerns them (in the service and by email)."""
