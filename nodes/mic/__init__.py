"""mic node package (issue: hearing)."""
