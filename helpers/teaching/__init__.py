"""Teaching aids the lessons call: the tools of lesson 03, event logs and timelines."""
