"""Layer 3, components: projectors (alignment heuristics, candidate matching as ILP/greedy) with candidates, scores, solvers."""
