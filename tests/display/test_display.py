"""The kiosk screen: layout by screenshot, touch events, the crisis screen, frames on the
playback clock, masking."""
import numpy as np
import pytest

from bus.messages import (Moderated, Playback, Reply, StaffAction, StaffAlert, Transcript, VideoFrame,
                          VoiceActivity)
from nodes.display import screen as scr
from tests.display.sim import harness
from nodes.display.node import DisplayNode

URL = "https://www.bokjiro.go.kr/ssis-tbu/twataa/wlfareInfo/moveTWAT52011M.do?wlfareInfoId=WLF00000024"
REPLY = Reply(kind="answer", text="만 65세 이상이고 소득이 적으면 받을 수 있어요. 주민센터에서 신청하세요.",
              topic="basic_pension", suggestions=["어디서 신청해요?", "얼마 받아요?"], url=URL, id="r1")


@pytest.fixture
def disp():
    h = harness(DisplayNode, {"driver": "dummy"})
    yield h
    h.node.teardown()


def shot(h) -> np.ndarray:
    h.advance(0.04)
    return h.node.screen.pixels()


def dark_rows(img, x0=0, x1=None, thresh=90):
    return (img[:, x0:x1].max(axis=2) < thresh).any(axis=1)


def test_layout_state_bar_avatar_subtitles_qr_and_big_buttons(disp):
    face = np.zeros((520, 720, 3), np.uint8)
    face[..., 1] = 200                                      # a green "avatar" to find on screen
    disp.send("frame", VideoFrame(face, pts=0.0))
    disp.send("heard", Moderated(text="기초연금 받을 수 있어요?", label="allow"))
    disp.send("reply", REPLY)
    img = shot(disp)
    assert img.shape == (1280, 720, 3)
    assert tuple(img[10, 700]) == scr.STATES["listening"][1]           # answered, no voice: 듣고 있어요
    assert (img[300, 100] == [0, 200, 0]).all()                         # the avatar, large
    # subtitles: dark text in the panel under the avatar, on white
    panel = img[scr.STATE_H + scr.AVATAR_H:scr.STATE_H + scr.AVATAR_H + scr.SUBS_H]
    assert dark_rows(panel, 20, 500).sum() > 100
    text_rows = dark_rows(panel, 20, 500)
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, text_rows.astype(int), 0])))[::2]
    assert max(runs) >= 36                                  # glyphs of a >= 48 px font
    # the QR code points to the official page
    import cv2
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    assert decoded == URL
    # buttons: the five actions plus the suggestions, each big enough for a finger
    actions = [a for a, _, _ in disp.node.screen.buttons]
    assert sorted(actions) == sorted(["ask", "ask", "repeat", "slower", "bigger_text", "staff", "home"])
    assert all(r.height >= 72 and r.width >= 200 for _, _, r in disp.node.screen.buttons)
    # fonts: subtitles >= 48 px
    assert disp.node.screen.font(52).get_height() >= 48


def test_states_listening_thinking_speaking(disp):
    assert tuple(shot(disp)[10, 700]) == scr.STATES["listening"][1]
    disp.send("vad", VoiceActivity("start", "m1", 0))
    disp.send("vad", VoiceActivity("end", "m1", 16000))
    assert tuple(shot(disp)[10, 700]) == scr.STATES["thinking"][1]
    disp.send("playback", Playback("u1", 0, disp.now, 16000, True))
    assert tuple(shot(disp)[10, 700]) == scr.STATES["speaking"][1]


def test_touch_buttons_publish_events_that_begin_new_turns(disp):
    disp.send("reply", REPLY)
    shot(disp)
    seen, asked = [], []
    for action, label, r in list(disp.node.screen.buttons):
        disp.published.clear()
        disp.interrupts.clear()
        assert disp.node.press(*r.center)
        (out, touch, turn), = disp.published
        assert out == "touch" and touch.action == action
        assert touch.text == (label if action == "ask" else "")
        asked += [touch.text] if action == "ask" else []
        assert turn > 1 and turn not in seen                 # a new turn each time
        seen.append(turn)
        if action in ("repeat", "slower", "home", "ask"):
            assert disp.interrupts and disp.interrupts[-1].turn == turn     # older speech stops
        shot(disp)
    assert asked == ["어디서 신청해요?", "얼마 받아요?"]
    assert not disp.node.press(5, scr.STATE_H + 10)          # the avatar is not a button


def test_a_real_mouse_click_goes_through_pygame_events(disp):
    shot(disp)
    action, _, r = next(b for b in disp.node.screen.buttons if b[0] == "staff")
    pg = disp.node.screen.pg
    pg.event.post(pg.event.Event(pg.MOUSEBUTTONDOWN, pos=r.center, button=1))
    shot(disp)
    assert [t.action for t in disp.outputs("touch")] == ["staff"]


def test_bigger_text_makes_the_subtitles_bigger(disp):
    disp.send("reply", REPLY)
    disp.advance(4.0)
    before = dark_rows(shot(disp)[scr.STATE_H + scr.AVATAR_H:], 20, 500).sum()
    b = next(b for b in disp.node.screen.buttons if b[0] == "bigger_text")
    disp.node.press(*b[2].center)
    after = dark_rows(shot(disp)[scr.STATE_H + scr.AVATAR_H:], 20, 500).sum()
    assert disp.node.view.big_text and after > before


def test_crisis_screen_shows_the_number_and_that_staff_were_told(disp):
    disp.send("alert", StaffAlert(reason="crisis", category="suicide", hotline="109"))
    img = shot(disp)
    red = (np.abs(img.astype(int) - scr.RED).sum(axis=2) < 30)
    rows = np.flatnonzero(red[230:600].any(axis=1))
    assert rows.max() - rows.min() > 150                    # the digits are huge (> 150 px tall)
    assert [a for a, _, _ in disp.node.screen.buttons] == ["staff"]
    # the words: render the expected line and find it on screen
    s = disp.node.screen
    probe = s.font(60).render("직원에게 알렸습니다", True, scr.WHITE)
    assert probe.get_width() < 640
    box = img[620:790, 40:680]
    assert (box.max(axis=2) > 240).sum() > 2000            # white text on the navy box
    disp.send("staff", StaffAction("clear"))
    assert tuple(shot(disp)[10, 700]) == scr.STATES["listening"][1]


def test_frames_are_presented_on_the_playback_clock_and_a_late_one_is_dropped(disp):
    def frame(pts, value):
        return VideoFrame(np.full((520, 720, 3), value, np.uint8), pts=pts, utterance="u1")
    t0 = disp.now
    disp.send("playback", Playback("u1", 0, t0, 16000, True))
    disp.send("frame", frame(0.0, 10))
    disp.send("frame", frame(0.2, 20))                       # early: waits for its time
    img = shot(disp)
    assert img[300, 100, 0] == 10
    disp.send("frame", frame(0.0, 30))                       # late by more than a frame: dropped
    for i in range(10):                                       # the speaker's clock, at 50 Hz
        disp.advance(0.02)
        disp.send("playback", Playback("u1", int((disp.now - t0) * 16000), disp.now, 16000, True))
    img = shot(disp)
    assert img[300, 100, 0] == 20
    assert disp.node.counters["late"] >= 1
    # a speaker that stalls: its clock is not carried forward past 60 ms
    disp.send("frame", frame(0.4, 40))
    disp.advance(0.3)
    assert shot(disp)[300, 100, 0] == 20


def test_heard_text_on_screen_is_masked(disp):
    disp.send("partial", Transcript(text="제 전화번호는 010-2345-6789 이에요", final=False))
    assert "6789" not in disp.node.view.heard
    disp.send("heard", Moderated(text="안녕하세요", label="allow", source="injected"))
    shot(disp)
    assert disp.node.view.injected


def test_an_injected_question_is_marked_even_if_the_verdict_does_not_say_so(disp):
    disp.send("partial", Transcript(text="기초연금 받을 수 있어요?", source="injected"))
    disp.send("heard", Moderated(text="기초연금 받을 수 있어요?", label="allow"))
    assert disp.node.view.injected
    disp.send("heard", Moderated(text="다른 말", label="allow"))
    assert not disp.node.view.injected


def test_a_suggestion_that_repeats_a_fixed_button_is_not_shown_twice(disp):
    disp.send("reply", Reply(kind="ood", text="죄송해요. 그 내용은 제가 잘 몰라요. 직원을 불러 드릴까요?",
                             suggestions=["직원 호출", "기초연금", "경로당"], id="r2"))
    shot(disp)
    labels = [label for _, label, _ in disp.node.screen.buttons]
    assert labels.count("직원 호출") == 1
    assert [label for a, label, _ in disp.node.screen.buttons if a == "ask"] == ["기초연금", "경로당"]


def test_a_long_suggestion_stays_inside_its_button(disp):
    long = "노인일자리 및 사회활동 지원사업"
    disp.send("reply", Reply(kind="ood", text="죄송해요.", suggestions=["기초연금", long], id="r3"))
    img = shot(disp)
    (_, label, r), = [b for b in disp.node.screen.buttons if b[1] == long]
    inside = img[r.top + 8:r.bottom - 8, r.left + 8:r.right - 8]
    assert (inside.max(axis=2) < 120).any()                      # its text is drawn (navy ink)
    gap = img[r.top + 8:r.bottom - 8, r.right + 2:r.right + 6]   # nothing spills past its right edge
    assert not (gap.max(axis=2) < 120).any()
    left_gap = img[r.top + 8:r.bottom - 8, r.left - 6:r.left - 2]
    assert not (left_gap.max(axis=2) < 120).any()
