"""Every `clearinghouse bench …`: one module a benchmark, each printing figures and ratios
against a baseline measured in the same run (docs/benchmarks.md records them with the command).

A module's `add_verb` registers its verb and arguments with the CLI (`cli/_bench.py`), and
imports Django models only inside its handler, after the bench has set up its own scratch
database. `_`-prefixed modules are the synthetic stores and scorers the benches share.
"""
