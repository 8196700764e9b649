"""Volunteer pages: `accounts` (sign-in, setup, two-factor, the team), `review` (the
review workspace)."""
