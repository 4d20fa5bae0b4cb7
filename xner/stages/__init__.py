"""Layer 6, reusable stages: read configured corpora, label, translate, align, project, train and score NER models."""
