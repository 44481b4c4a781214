"""Speaker: plays synthesised speech and publishes the playback clock."""
