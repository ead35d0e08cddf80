import threading

from interviewer.llm.ratelimit import RateLimiter


class FakeClock:
    """Time stands still unless a test moves it; sleeps are recorded, not slept."""

    def __init__(self):
        self.t = 100.0
        self.slept = []

    def now(self):
        return self.t

    def sleep(self, s):
        self.slept.append(s)


def test_requests_are_spaced_evenly():
    clock = FakeClock()
    limiter = RateLimiter(120, clock=clock.now, sleep=clock.sleep)  # one every 0.5 s
    delays = [limiter.wait() for _ in range(4)]
    assert delays == [0.0, 0.5, 1.0, 1.5]
    clock.t += 10  # after a pause the budget does not pile up into a burst
    assert limiter.wait() == 0.0 and limiter.wait() == 0.5


def test_no_limit_never_waits():
    limiter = RateLimiter(None, sleep=lambda s: (_ for _ in ()).throw(AssertionError("slept")))
    assert all(limiter.wait() == 0.0 for _ in range(100))


def test_threads_share_one_schedule():
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock.now, sleep=clock.sleep)
    threads = [threading.Thread(target=limiter.wait) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(clock.slept) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
