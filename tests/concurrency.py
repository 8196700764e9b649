import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(*actions: Callable[[], object]) -> list[object]:
    """Run each action in its own thread, all released at the same instant, and return
    what each returned or raised, in order. Each thread has (and closes) its own
    database connection, so the actions really race in PostgreSQL."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
