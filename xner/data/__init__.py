"""Layer 1, data: records (Sentence, EntitySpan, Alignment), CoNLL/parallel/Pharaoh readers, IOB2 <-> spans, labels, corpus registry."""
