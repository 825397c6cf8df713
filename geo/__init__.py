"""Care Atlas analysis: pure functions on GeoDataFrames (no UI imports here)."""
