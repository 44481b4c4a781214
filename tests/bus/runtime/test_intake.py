"""De-duplication, gaps and acknowledgements (bus/runtime/intake.py)."""
from bus.runtime.intake import ACK_HOLD_S, Intake


def test_dedup_is_not_a_high_water_mark():
    intake = Intake()
    k = ("p/out", "p", "1")
    assert intake.accept(k, 10, 0.0) is None          # a live message overtook the redelivered ones
    assert [intake.accept(k, s, 0.0) for s in (7, 8, 9)] == [None, None, None]
    assert intake.accept(k, 8, 0.0) == "duplicate"
    assert intake.gaps() == 0
    intake.accept(k, 12, 0.0)
    assert intake.gaps() == 1                          # 11 never came


def test_acks_wait_for_handlers_and_hold_briefly():
    intake = Intake()
    k = ("p/out", "p", "1")
    for s in (1, 2, 3):
        intake.accept(k, s, 0.0)
        intake.begin(k, s)
    assert intake.acks(ACK_HOLD_S / 2) == {}           # too early: redeliveries may still come
    intake.done(k, 1)
    intake.done(k, 3)
    assert intake.acks(1.0) == {("p", "1"): [["p/out", 1]]}   # 2 is still being handled
    intake.done(k, 2)
    assert intake.acks(1.1) == {("p", "1"): [["p/out", 3]]}
