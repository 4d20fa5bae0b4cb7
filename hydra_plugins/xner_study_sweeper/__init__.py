"""xner's study sweeper as a Hydra plugin (Hydra finds sweepers only under `hydra_plugins`); the logic is in
`xner.study.sweeper`."""
