"""Studies: a research question as config (`conf/study/`), run, resumed and reported with intervals."""
