"""xner: config-driven cross-lingual NER by annotation projection."""

__version__ = "0.1.0"
