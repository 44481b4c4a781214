"""Rebuild faq.csv, questions.tsv and dev_index.tsv from two real Korean FAQs shipped by Debian.

    apt-get download debian-faq-ko libreoffice-help-ko
    dpkg-deb -x debian-faq-ko_*.deb x && dpkg-deb -x libreoffice-help-ko_*.deb x
    python tests/data/faq_real/build.py x

Entries (none written by this project):
- debian-faq-ko 11.1: every section heading of the Korean Debian FAQ (a question) with its first
  paragraphs as the answer (https://www.debian.org/doc/manuals/debian-faq/);
- libreoffice-help-ko 7.4.7: every "guide" page with a Korean title (a how-to task such as
  "셀 보호 해제") with its first paragraphs (https://help.libreoffice.org/).
dev_index.tsv holds the LibreOffice help index's own Korean keyword entries (bookmarks.js) that
point at one of those pages: another real wording, used for development only.
"""

from __future__ import annotations

import csv
import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_TAG = re.compile(r"<[^>]+>")
_APPS = {"scalc": "Calc", "swriter": "Writer", "simpress": "Impress", "sdraw": "Draw", "smath": "Math",
         "schart": "Chart", "sbasic": "Basic", "sdatabase": "Base", "shared": "LibreOffice"}


def _clean(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def _answer(paragraphs: list[str], limit: int = 420) -> str:
    out = ""
    for p in paragraphs:
        if not re.search("[가-힣]", p) or len(p) < 8:
            continue
        out = f"{out} {p}".strip()
        if len(out) > 160:
            break
    return out[:limit].rsplit(" ", 1)[0] if len(out) > limit else out


def debian(root: Path) -> list[dict]:
    rows = []
    for page in sorted((root / "usr/share/doc/debian/FAQ/ko").glob("*.ko.html")):
        text = page.read_text(encoding="utf-8")
        parts = re.split(r'<h[23] class="title"><a id="([^"]+)"></a>', text)
        for anchor, body in zip(parts[1::2], parts[2::2]):
            head, _, rest = body.partition("</h")
            question = re.sub(r"^[0-9.]+\s*", "", _clean(head))
            paras = [_clean(p) for p in re.findall(r"<p>(.*?)</p>", rest.split('<h2 class="title">')[0], re.S)]
            answer = _answer(paras)
            if re.search("[가-힣]", question) and answer:
                rows.append({"id": f"debian_{anchor}".replace("-", "_").lower(), "question": question,
                             "answer": answer,
                             "source": f"https://www.debian.org/doc/manuals/debian-faq/{page.name.split('.')[0]}"
                                       f".ko.html#{anchor}"})
    return rows


def libreoffice(root: Path) -> tuple[list[dict], list[tuple[str, str]]]:
    base = root / "usr/share/libreoffice/help/ko"
    rows, by_url = [], {}
    for page in sorted(base.glob("text/*/guide/*.html")):
        text = page.read_text(encoding="utf-8")
        m = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
        title = _clean(m.group(1)) if m else ""
        if not re.search("[가-힣]", title):
            continue
        body = text[m.end():].split('class="relatedtopics"')[0].split("Help content debug info")[0]
        paras = [_clean(p) for p in re.findall(r'<p[^>]*class="(?:paragraph|listitem)"[^>]*>(.*?)</p>', body, re.S)]
        answer = _answer(paras)
        if not answer:
            continue
        app = page.parts[-3]
        rid = f"lo_{app}_{page.stem}".lower().replace("-", "_")
        rows.append({"id": rid, "question": f"[{_APPS.get(app, app)}] {title}", "answer": answer,
                     "source": f"https://help.libreoffice.org/7.4/ko/text/{app}/guide/{page.stem}.html"})
        by_url[f"ko/text/{app}/guide/{page.name}"] = rid
    index = []
    js = (base / "bookmarks.js").read_text(encoding="utf-8")
    for url, text in re.findall(r'url:"([^"?#]+)[^"]*", app:"[A-Z]+", text:"([^"]+)"', js):
        if url in by_url and re.search("[가-힣]", text):
            index.append((by_url[url], " ".join(text.replace("--", " ").split())))
    return rows, sorted(set(index))


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    lo_rows, index = libreoffice(root)
    rows = debian(root) + lo_rows
    with (HERE / "faq.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["topic", "question", "answer", "source"])
        w.writeheader()
        for r in rows:
            w.writerow({"topic": r["id"], "question": r["question"], "answer": r["answer"], "source": r["source"]})
    (HERE / "questions.tsv").write_text("id\tquestion\n" + "".join(f"{r['id']}\t{r['question']}\n" for r in rows),
                                        encoding="utf-8")
    (HERE / "dev_index.tsv").write_text("question\ttopic\n" + "".join(f"{t}\t{i}\n" for i, t in index),
                                        encoding="utf-8")
    print(f"{len(rows)} entries ({len(rows) - len(lo_rows)} Debian FAQ, {len(lo_rows)} LibreOffice help), "
          f"{len(index)} index wordings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
