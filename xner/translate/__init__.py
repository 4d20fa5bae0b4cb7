"""Layer 3, components: translators (given parallel side, Apertium, seq2seq MT) behind one interface; marker translation."""
