"""xner: config-driven cross-lingual NER by annotation projection.

Layers, each importing only from those below it (checked by import-linter, see pyproject.toml):
entry (run, report) > experiments > stages > runtime > eval > project > translate | align > models > data > base
(errors, io, progress).
"""

__version__ = "0.1.0"
