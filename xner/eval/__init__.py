"""Layer 4, evaluation: seqeval NER scores and word-alignment AER/precision/recall against gold."""
