"""De-duplication, gaps and acknowledgements (bus/runtime/intake.py)."""
from bus.runtime.intake import ACK_HOLD_S, RESEND_S, RESEND_TRIES, Intake


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


def test_a_repeat_from_a_new_incarnation_is_dropped_and_acknowledged_with_the_first():
    intake = Intake()
    old, new = ("p/out", "p", "1"), ("p/out", "p", "2")   # p was killed and handled its input again
    assert intake.accept(old, 5, 0.0, origin=77) is None
    intake.begin(old, 5)                                  # still queued here (we are loading)
    assert intake.accept(new, 1, 0.0, origin=77) == "repeat"
    assert intake.accept(new, 2, 0.0, origin=78) is None  # something new from the new incarnation
    assert intake.acks(1.0) == {("p", "1"): [["p/out", 4]]}   # the repeat is held behind the first
    intake.done(old, 5)
    assert intake.acks(1.1) == {("p", "1"): [["p/out", 5]], ("p", "2"): [["p/out", 2]]}
    assert intake.accept(new, 3, 1.2, origin=77) == "repeat"   # the first is finished: dropped at once
    assert intake.acks(1.3) == {("p", "2"): [["p/out", 3]]}
    assert intake.accept(old, 6, 1.3) is None and intake.accept(old, 7, 1.3) is None   # origin 0: not compared


def test_an_input_is_not_acknowledged_while_its_outputs_are_held():
    intake = Intake()
    k = ("p/out", "p", "1")
    intake.accept(k, 1, 0.0)
    intake.begin(k, 1)              # queued
    intake.begin(k, 1)              # the handler published an output our consumers have not acknowledged
    intake.done(k, 1)               # the handler returned
    assert intake.acks(1.0) == {}
    intake.done(k, 1)               # the output was acknowledged downstream
    assert intake.acks(1.1) == {("p", "1"): [["p/out", 1]]}


def test_no_acknowledgement_past_a_hole_which_is_asked_for_then_passed():
    """A cumulative acknowledgement across a hole would make the producer discard what never came
    (issue #8, run 6 of the soak): W stops below the hole, the hole is asked for again, and only
    after RESEND_TRIES requests that bring nothing is it passed, counted."""
    intake = Intake()
    k = ("p/out", "p", "1")
    for s in (1, 2, 6, 7):                            # 3-5 lost in transit
        intake.accept(k, s, 0.0)
    assert intake.acks(1.0) == {("p", "1"): [["p/out", 2]]}
    assert intake.resends(1.0) == {("p", "1"): [["p/out", 3, 5]]}
    assert intake.resends(1.0 + RESEND_S / 2) == {}    # not again at once
    intake.accept(k, 3, 1.1)                           # the producer sent them again
    intake.accept(k, 4, 1.1)
    assert intake.acks(1.2) == {("p", "1"): [["p/out", 4]]}
    assert intake.resends(1.2) == {("p", "1"): [["p/out", 5, 5]]}   # it shrank: asked at once
    t = 1.2
    for _ in range(RESEND_TRIES - 1):
        t += RESEND_S
        assert intake.resends(t) == {("p", "1"): [["p/out", 5, 5]]}
    assert intake.resends(t + RESEND_S) == {} and intake.passed == 1   # 5 is gone for good
    assert intake.acks(t + RESEND_S) == {("p", "1"): [["p/out", 7]]}
    assert intake.asked == RESEND_TRIES + 1


def test_redelivered_older_messages_are_no_hole():
    intake = Intake()
    k = ("p/out", "p", "1")
    intake.accept(k, 10, 0.0)                          # live, ahead of the redelivery
    for s in (7, 8, 9):
        intake.accept(k, s, 0.1)
    assert intake.resends(1.0) == {} and intake.acks(1.0) == {("p", "1"): [["p/out", 10]]}
