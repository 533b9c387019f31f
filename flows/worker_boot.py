"""What the workers' fork server imports once, before it forks each worker: the batch code and
the tables of the compiled normalization path (0.1 s to build), so no worker builds its own."""

from flows import env

# Before pyarrow is imported: the allocator is chosen then. The fork server inherits the run's
# environment, so this only matters when the run's process did not call it (a library user).
env.setup()

from flows import batches  # noqa: E402, F401
from transforms import fast  # noqa: E402

fast.warm()
