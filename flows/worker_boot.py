"""What the workers' fork server imports once, before it forks each worker: the batch code, the
tables of the compiled normalization path and the entity matcher of the shipped gazetteer (its
Aho-Corasick automaton; its tables from flows.matcher_cache when an earlier process built
them), so that no worker builds its own. A run with an analyst's entities file builds that
matcher once per worker, on its first batch."""

from flows import env, lifeline

# Before pyarrow is imported: the allocator is chosen then. The fork server inherits the run's
# environment, so this only matters when the run's process did not call it (a library user).
env.setup()

from flows import batches, matcher_cache  # noqa: E402, F401
from transforms import fast  # noqa: E402

# The fork server outlives no run: it ends when the run's process dies (flows/lifeline.py).
lifeline.watch_parent()

fast.warm()
matcher_cache.warm()
