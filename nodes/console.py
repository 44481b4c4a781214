"""Console stand-ins for the screen and the staff pager, until the display node lands: they show
what a person at the kiosk would see and hear.

Subtitles   reply (Reply)                            prints the spoken text and on-screen detail
StaffPager  crisis (StaffAlert), request (StaffAlert) prints alerts loudly for the staff on duty
"""
from __future__ import annotations

from dataclasses import dataclass

from bus.messages import Reply, StaffAlert
from bus.node import Node


class Subtitles(Node):
    inputs = {"reply": Reply}
    live_params = frozenset({"detail"})

    @dataclass
    class Params:
        detail: bool = True

    def on_reply(self, msg: Reply):
        self.log.info("💬 %s", msg.text)
        if self.params.detail and msg.detail:
            for line in msg.detail.splitlines()[:6]:
                self.log.info("   %s", line)


class StaffPager(Node):
    inputs = {"crisis": StaffAlert, "request": StaffAlert}
    optional = frozenset({"request"})

    @dataclass
    class Params:
        pass

    def on_crisis(self, msg: StaffAlert):
        self.log.warning("🚨 위기 상황 (%s): 안내 번호 %s. 직원은 바로 가 주세요. 발화: %s",
                         msg.category or msg.reason, msg.hotline or "-", msg.text)

    def on_request(self, msg: StaffAlert):
        self.log.warning("🔔 어르신이 직원을 찾으십니다. 발화: %s", msg.text)
