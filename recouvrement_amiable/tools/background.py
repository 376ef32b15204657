"""Plain Python work run in a thread while the ORM works with the database."""

from concurrent.futures import ThreadPoolExecutor


def start(function, *args, **kwargs):
    """Run ``function(*args, **kwargs)`` in a thread of its own; returns its
    ``concurrent.futures.Future`` (``result()`` waits for it and raises what
    it raised).

    Only for plain Python: no environment, cursor or record, which belong to
    the thread that made them. While the caller waits for PostgreSQL (its
    cursor releases the GIL), the function runs: a hand-over writes its file
    while the notes of thousands of records are inserted.
    """
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recouvrement")
    try:
        return executor.submit(function, *args, **kwargs)
    finally:
        # The thread ends with the function; nothing waits for it here.
        executor.shutdown(wait=False)
