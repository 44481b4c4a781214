"""The kiosk screen is opened on the thread that draws (EGL binds a window to its thread)."""
import subprocess
import sys
import textwrap

from tests.procs import ROOT

SCRIPT = textwrap.dedent("""
    import threading
    from nodes.display.screen import Screen, View
    screen = Screen(720, 1280, "offscreen", False)       # SDL's EGL-backed headless driver
    screen.release()                                      # as DisplayNode.setup does
    out = []
    def draw():
        screen.open()
        screen.draw(View())
        screen.pg.display.flip()
        out.append(screen.surface.get_size())
    t = threading.Thread(target=draw)
    t.start(); t.join()
    print("drawn", out[0])
""")

NO_SCREEN = textwrap.dedent("""
    from nodes.display.screen import Screen, ScreenError
    try:
        Screen(720, 1280, "no_such_driver", False)
    except Exception as e:
        print(type(e).__name__, e)
""")


def run(script):
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_screen_opened_in_setup_draws_on_another_thread():
    r = run(SCRIPT)
    assert "drawn (720, 1280)" in r.stdout, r.stderr[-2000:]


def test_a_screen_that_cannot_open_says_how_to_run_headless():
    r = run(NO_SCREEN)
    assert "driver:=dummy" in r.stdout or "driver:=dummy" in r.stderr, (r.stdout, r.stderr[-1000:])
