"""Reports over many runs: a language x method table (Markdown, CSV) and plots (PNG)."""
