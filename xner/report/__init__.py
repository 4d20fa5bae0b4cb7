"""Layer 8, entry: reports over many runs (`python -m xner.report`): language x method tables (Markdown, CSV) and plots."""
