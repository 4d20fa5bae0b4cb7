"""Layer 3, components: word aligners (similarity over an encoder, eflomal, thot models) and symmetrisation."""
