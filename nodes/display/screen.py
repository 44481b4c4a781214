"""The kiosk screen, drawn with pygame: portrait, designed at 720x1280 and scaled to the window.

    ┌ state bar: big icon + 듣고 있어요 / 생각하고 있어요 / 말하고 있어요 ┐
    │ avatar (the lip-sync frames)                                      │
    │ subtitles: what it heard (masked), what the kiosk says (word by   │
    │ word, with the speech), QR code to the official page              │
    │ suggestions of the current answer (buttons)                       │
    └ 다시 듣기 · 천천히 · 글자 크게 / 직원 호출 · 처음으로 ─────────────┘

A crisis covers everything with the number to call in huge digits and 직원에게 알렸습니다.
`draw(view)` paints one frame; `hit(x, y)` says which button is there.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

FONT_DIRS = ["/usr/share/fonts/truetype/nanum", "/usr/share/fonts/nanum", "/usr/local/share/fonts"]
FONT_BOLD = ["NanumSquareRoundEB.ttf", "NanumSquareRoundB.ttf", "NanumGothicBold.ttf", "NanumBarunGothicBold.ttf"]

BG = (244, 246, 249)
INK = (17, 26, 46)
INK_SOFT = (58, 65, 80)
PANEL = (255, 255, 255)
HEARD_BG = (231, 236, 242)
NAVY = (22, 54, 95)
RED = (163, 34, 42)
WHITE = (255, 255, 255)
STATES = {   # state -> (label, colour)
    "listening": ("듣고 있어요", (27, 110, 66)),
    "thinking": ("생각하고 있어요", (150, 84, 0)),
    "speaking": ("말하고 있어요", (31, 78, 156)),
}
BUTTONS = [  # action, label, row, column span
    ("repeat", "다시 듣기"), ("slower", "천천히"), ("bigger_text", "글자 크게"),
    ("staff", "직원 호출"), ("home", "처음으로"),
]
STATE_H, AVATAR_H, SUBS_H, SUGGEST_H = 112, 520, 352, 96    # design pixels; buttons take the rest


def find_font() -> str:
    for d in FONT_DIRS:
        for name in FONT_BOLD:
            path = os.path.join(d, name)
            if os.path.isfile(path):
                return path
    raise FileNotFoundError("no Korean font found: install Debian's fonts-nanum "
                            "(apt-get install fonts-nanum; scripts/setup does it)")


@dataclass
class View:
    """Everything on screen at one moment."""
    state: str = "listening"
    avatar: Optional[np.ndarray] = None        # RGB frame from the lip-sync node
    heard: str = ""                            # masked
    said: str = ""                             # the kiosk's current sentence
    said_upto: int = -1                        # characters of `said` heard so far (-1: all)
    detail: str = ""
    suggestions: list[str] = field(default_factory=list)
    url: str = ""
    crisis: Optional[dict] = None              # {hotline, text}
    banner: str = ""                           # e.g. staff is coming
    big_text: bool = False
    injected: bool = False                     # the heard text was injected by the demo, not recorded
    t: float = 0.0                             # for small animations


class ScreenError(RuntimeError):
    """The screen cannot be shown (no display, or a driver that cannot present)."""


class Screen:
    def __init__(self, width: int = 720, height: int = 1280, driver: str = "", fullscreen: bool = False):
        if driver:
            os.environ["SDL_VIDEODRIVER"] = driver
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame
        self.pg = pygame
        pygame.font.init()
        self.mode = ((width, height), pygame.FULLSCREEN if fullscreen else 0)
        self.surface = None
        self.open()
        self.w, self.h, self.s = width, height, width / 720
        self.font_path = find_font()
        self.fonts: dict[int, object] = {}
        self.qr_cache: tuple[str, object] = ("", None)
        self.buttons: list[tuple[str, str, object]] = []     # action, text, rect
        self.avatar_rect = self.rect(0, STATE_H, 720, AVATAR_H)

    def open(self) -> None:
        """Open the window on the calling thread. SDL's EGL-backed drivers (Wayland, KMS/DRM,
        offscreen) bind it to that thread, so the thread that draws must be the one that opens."""
        pg = self.pg
        try:    # a screen that opens but cannot present would fail on every frame: find out now
            pg.display.init()
            self.surface = pg.display.set_mode(*self.mode)
            pg.display.flip()
        except pg.error as e:
            driver = os.environ.get("SDL_VIDEODRIVER") or (pg.display.get_driver() if pg.display.get_init() else "")
            raise ScreenError(
                f"cannot show the kiosk screen with SDL video driver '{driver or 'default'}' ({e}). "
                "Run it on the kiosk's display (DISPLAY or WAYLAND_DISPLAY set, or driver:=kmsdrm on a bare "
                "console), or headless with driver:=dummy and record:=DIR to get an MP4") from None
        pg.display.set_caption("실버 AI 상담 키오스크")

    def release(self) -> None:
        """Close the window (it is opened again by `open` on the drawing thread)."""
        self.pg.display.quit()
        self.surface = None

    # --- helpers ---
    def px(self, v: float) -> int:
        return int(round(v * self.s))

    def rect(self, x, y, w, h):
        return self.pg.Rect(self.px(x), self.px(y), self.px(w), self.px(h))

    def font(self, size: int):
        size = self.px(size)
        if size not in self.fonts:
            self.fonts[size] = self.pg.font.Font(self.font_path, size)
        return self.fonts[size]

    def wrap(self, text: str, font, width: int) -> list[tuple[int, str]]:
        """Lines as (offset of the line's first character in text, line); words stay whole
        unless one alone is too wide."""
        lines, start, line = [], 0, ""
        i = 0
        for word in text.split(" "):
            cand = f"{line} {word}" if line else word
            if font.size(cand)[0] <= width or not line:
                if font.size(cand)[0] > width:        # one long word: break by characters
                    for ch in word:
                        if line and font.size(line + ch)[0] > width:
                            lines.append((start, line))
                            start, line = i, ""
                        line += ch
                        i += 1
                    i += 1
                    continue
                line = cand
            else:
                lines.append((start, line))
                start, line = i, word
            i += len(word) + 1
        if line:
            lines.append((start, line))
        return lines

    def text(self, s: str, size: int, color, center=None, topleft=None):
        img = self.font(size).render(s, True, color)
        r = img.get_rect(center=center) if center else img.get_rect(topleft=topleft)
        self.surface.blit(img, r)
        return r

    # --- drawing ---
    def draw(self, v: View) -> None:
        pg = self.pg
        self.surface.fill(BG)
        if v.crisis:
            self.draw_crisis(v)
            return
        self.draw_state(v)
        self.draw_avatar(v)
        if v.url:
            self.draw_qr_card(v.url)
        self.draw_subtitles(v)
        self.draw_buttons(v)
        if v.banner:
            r = self.rect(24, STATE_H + AVATAR_H - 120, 672, 100)
            pg.draw.rect(self.surface, NAVY, r, border_radius=self.px(20))
            self.text(v.banner, 44, WHITE, center=r.center)

    def draw_state(self, v: View) -> None:
        pg = self.pg
        label, color = STATES.get(v.state, STATES["listening"])
        bar = self.rect(0, 0, 720, STATE_H)
        pg.draw.rect(self.surface, color, bar)
        cx, cy = self.px(84), bar.centery
        pg.draw.circle(self.surface, WHITE, (cx, cy), self.px(42))
        self.draw_icon(v.state, cx, cy, color, v.t)
        self.text(label, 56, WHITE, topleft=(self.px(150), cy - self.font(56).get_height() // 2))

    def draw_icon(self, state: str, cx: int, cy: int, color, t: float) -> None:
        pg, p = self.pg, self.px
        if state == "listening":      # a microphone
            pg.draw.rect(self.surface, color, pg.Rect(cx - p(11), cy - p(26), p(22), p(36)), border_radius=p(11))
            pg.draw.arc(self.surface, color, pg.Rect(cx - p(19), cy - p(14), p(38), p(34)), 3.3, 6.1, p(4))
            pg.draw.line(self.surface, color, (cx, cy + p(20)), (cx, cy + p(28)), p(4))
            pg.draw.line(self.surface, color, (cx - p(10), cy + p(28)), (cx + p(10), cy + p(28)), p(4))
        elif state == "thinking":     # three dots, one after another
            for i in range(3):
                big = int(t * 3) % 3 == i
                pg.draw.circle(self.surface, color, (cx + p(-20 + 20 * i), cy), p(8 if big else 6))
        else:                         # a speaker with sound waves
            pts = [(cx - p(24), cy - p(9)), (cx - p(12), cy - p(9)), (cx + p(2), cy - p(22)),
                   (cx + p(2), cy + p(22)), (cx - p(12), cy + p(9)), (cx - p(24), cy + p(9))]
            pg.draw.polygon(self.surface, color, pts)
            for i, r in enumerate((12, 22)):
                if int(t * 4) % 3 >= i:
                    pg.draw.arc(self.surface, color, pg.Rect(cx + p(2) - p(r), cy - p(r), p(2 * r), p(2 * r)),
                                -0.9, 0.9, p(4))

    def draw_avatar(self, v: View) -> None:
        pg = self.pg
        r = self.avatar_rect
        if v.avatar is None:
            pg.draw.rect(self.surface, (214, 228, 236), r)
            return
        img = v.avatar
        surf = pg.image.frombuffer(np.ascontiguousarray(img).tobytes(), (img.shape[1], img.shape[0]), "RGB")
        if surf.get_size() != r.size:
            surf = pg.transform.smoothscale(surf, r.size)
        self.surface.blit(surf, r)

    def draw_subtitles(self, v: View) -> None:
        pg = self.pg
        top = STATE_H + AVATAR_H
        panel = self.rect(0, top, 720, SUBS_H)
        pg.draw.rect(self.surface, PANEL, panel)
        y = top + 16
        if v.heard:
            label = "입력된 말" if v.injected else "들은 말"
            f = self.font(48)
            lab = self.font(30).render(label, True, INK_SOFT)
            room = self.px(720 - 52) - lab.get_width()
            lines = [ln for _, ln in self.wrap("“" + v.heard + "”", f, room)]
            if len(lines) > 2:                 # the end of what was said matters most
                lines = ["…" + lines[-2], lines[-1]]
            band_h = 84 if len(lines) == 1 else 148
            band = self.rect(0, top, 720, band_h)
            pg.draw.rect(self.surface, HEARD_BG, band)
            self.surface.blit(lab, (self.px(20), self.px(top + 42) - lab.get_height() // 2))
            for i, line in enumerate(lines):
                img = f.render(line, True, INK)
                self.surface.blit(img, (self.px(32) + lab.get_width(), self.px(top + 42 + 62 * i) - img.get_height() // 2))
            y = top + band_h + 16
        size = 60 if v.big_text else 52
        f = self.font(size)
        width = self.px(720 - 40)
        said = v.said or (v.detail if v.state == "listening" else "")
        upto = len(said) if v.said_upto < 0 or not v.said else v.said_upto
        line_h = int(f.get_linesize() * 1.02)
        max_lines = max(1, (self.px(top + SUBS_H - 8) - self.px(y)) // line_h)
        lines = self.wrap(said, f, width)
        shown_lines = [ln for ln in lines if ln[0] < upto] or lines[:1]
        first = max(0, len(shown_lines) - max_lines)
        for i, (start, line) in enumerate(lines[first:first + max_lines]):
            visible = line[:max(0, upto - start)]
            if visible:
                self.surface.blit(f.render(visible, True, INK), (self.px(20), self.px(y) + i * line_h))
        if not said and not v.heard and v.state == "thinking":
            self.text("잠시만 기다려 주세요.", 52, INK_SOFT, center=(self.px(360), self.px(top + 150)))
        elif not said and not v.heard:
            self.text("무엇을 도와드릴까요?", 52, INK, center=(self.px(360), self.px(top + 110)))
            self.text("편하게 말씀해 주세요.", 52, INK_SOFT, center=(self.px(360), self.px(top + 190)))

    def draw_qr_card(self, url: str) -> None:
        """The QR code to the official page, on a white card in the avatar's lower right."""
        w, h = 196, 262
        x, y = 720 - w - 14, STATE_H + AVATAR_H - h - 14
        card = self.rect(x, y, w, h)
        self.pg.draw.rect(self.surface, WHITE, card, border_radius=self.px(18))
        self.pg.draw.rect(self.surface, NAVY, card, width=self.px(3), border_radius=self.px(18))
        self.draw_qr(url, x + 13, y + 12, w - 26)
        self.text("휴대폰으로", 30, INK, center=(self.px(x + w / 2), self.px(y + h - 60)))
        self.text("자세히 보기", 30, INK, center=(self.px(x + w / 2), self.px(y + h - 26)))

    def draw_qr(self, url: str, x: int, y: int, size: int) -> None:
        pg = self.pg
        if self.qr_cache[0] != url:
            import segno
            qr = segno.make(url, error="m")
            m = np.array([list(row) for row in qr.matrix], dtype=np.uint8)
            m = np.pad(m, 2)
            rgb = np.where(m[..., None] > 0, 0, 255).astype(np.uint8).repeat(3, axis=2)
            surf = pg.surfarray.make_surface(np.ascontiguousarray(rgb.transpose(1, 0, 2)))
            self.qr_cache = (url, pg.transform.scale(surf, (self.px(size), self.px(size))))
        self.surface.blit(self.qr_cache[1], (self.px(x), self.px(y)))

    def button(self, action: str, label: str, r, fill, ink, size: int = 48) -> None:
        pg = self.pg
        pg.draw.rect(self.surface, fill, r, border_radius=self.px(22))
        if fill == WHITE:
            pg.draw.rect(self.surface, NAVY, r, width=self.px(5), border_radius=self.px(22))
        for img in self._label_lines(label, r, ink, size):
            self.surface.blit(img[0], img[0].get_rect(center=(r.centerx, img[1])))
        self.buttons.append((action, label, r))

    def _label_lines(self, label: str, r, ink, size: int) -> list:
        """A label that fits its button: one line, shrunk to no less than 30 px; else two lines
        split at the space nearest the middle; else one line cut short with '…'."""
        room = r.width - self.px(24)
        f = self.font(size)
        while f.size(label)[0] > room and size > 30:
            size -= 2
            f = self.font(size)
        if f.size(label)[0] <= room:
            return [(f.render(label, True, ink), r.centery)]
        spaces = [i for i, c in enumerate(label) if c == " "]
        if spaces:
            cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
            lines = [label[:cut], label[cut + 1:]]
            f = self.font(size)
            if max(f.size(ln)[0] for ln in lines) <= room and 2 * f.get_linesize() <= r.height:
                h = f.get_linesize()
                return [(f.render(ln, True, ink), r.centery + (i - 0.5) * h) for i, ln in enumerate(lines)]
        while len(label) > 1 and f.size(label + "…")[0] > room:
            label = label[:-1]
        return [(f.render(label.rstrip() + "…", True, ink), r.centery)]

    def draw_buttons(self, v: View) -> None:
        self.buttons = []
        y = STATE_H + AVATAR_H + SUBS_H
        fixed = {label for _, label in BUTTONS}        # a suggestion never repeats a fixed button
        chips = [s for s in v.suggestions if s not in fixed][:2]
        n = len(chips)
        for i, s in enumerate(chips):
            w = (720 - 24 - 12 * (n - 1)) / n
            self.button("ask", s, self.rect(12 + i * (w + 12), y + 8, w, SUGGEST_H - 16), WHITE, NAVY, 40)
        y += SUGGEST_H
        rows = [BUTTONS[:3], BUTTONS[3:]]
        row_h = (1280 - y - 12) / 2
        for r_i, row in enumerate(rows):
            w = (720 - 24 - 12 * (len(row) - 1)) / len(row)
            for c_i, (action, label) in enumerate(row):
                fill = RED if action == "staff" else NAVY
                self.button(action, label, self.rect(12 + c_i * (w + 12), y + r_i * row_h + 6, w, row_h - 12),
                            fill, WHITE)

    def draw_crisis(self, v: View) -> None:
        pg = self.pg
        self.buttons = []
        c = v.crisis or {}
        pg.draw.rect(self.surface, RED, self.rect(0, 0, 720, 200))
        self.text("도움이 오고 있어요", 60, WHITE, center=(self.px(360), self.px(100)))
        hotline = c.get("hotline") or "119"
        size = 260 if len(hotline) <= 4 else 150
        self.text(hotline, size, RED, center=(self.px(360), self.px(420)))
        self.text("전화하실 수 있으면", 44, INK_SOFT, center=(self.px(360), self.px(250)))
        box = self.rect(40, 620, 640, 170)
        pg.draw.rect(self.surface, NAVY, box, border_radius=self.px(28))
        self.text("직원에게 알렸습니다", 60, WHITE, center=(box.centerx, box.centery - self.px(28)))
        self.text("곧 도와드릴게요", 44, WHITE, center=(box.centerx, box.centery + self.px(44)))
        f = self.font(52)
        for i, (_, line) in enumerate(self.wrap(v.said or v.detail, f, self.px(640))[:3]):
            self.surface.blit(f.render(line, True, INK), (self.px(40), self.px(840) + i * int(f.get_linesize() * 1.1)))
        self.button("staff", "직원 호출", self.rect(40, 1110, 640, 140), RED, WHITE, 56)

    def hit(self, x: int, y: int) -> Optional[tuple[str, str]]:
        """(action, label) of the button at screen pixel (x, y), if any."""
        for action, label, r in self.buttons:
            if r.collidepoint(x, y):
                return action, label
        return None

    def pixels(self) -> np.ndarray:
        """The screen as RGB, height x width x 3 (a copy)."""
        raw = self.pg.image.tobytes(self.surface, "RGB")
        return np.frombuffer(raw, np.uint8).reshape(self.h, self.w, 3)

    def close(self) -> None:
        self.pg.display.quit()
