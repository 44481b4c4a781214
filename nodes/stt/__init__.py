"""stt node package (issue: hearing)."""
