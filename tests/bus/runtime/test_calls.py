"""The hand-off from other threads to the I/O thread (bus/runtime/calls.py)."""
import select
import threading

from bus.runtime.calls import Calls


def test_calls_wake_the_io_thread():
    calls, seen = Calls(), []
    t = threading.Thread(target=calls.put, args=(seen.append, "from the worker"))
    t.start()
    t.join()
    assert select.select([calls.fd], [], [], 1.0)[0] == [calls.fd]
    calls.run()
    assert seen == ["from the worker"] and not select.select([calls.fd], [], [], 0)[0]
    calls.close()
