"""What the workers' fork server imports once, before it forks each worker: the batch code and
the tables of the compiled normalization path (0.1 s to build), so no worker builds its own."""

from flows import batches  # noqa: F401
from transforms import fast

fast.warm()
