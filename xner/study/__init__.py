"""Layer 9, studies: a research question as config (`conf/study/`), run through Hydra, resumed, reported with intervals."""
