"""Days as the tallies count them (kept here for the counts app's imports; the functions
live in tuidang.lib.days, since statements also needs the publication day)."""

from tuidang.lib.days import day_bounds, tally_day_of, tally_today, tally_zone

__all__ = ["day_bounds", "tally_day_of", "tally_today", "tally_zone"]
