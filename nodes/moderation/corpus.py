"""A large benign Korean corpus that nobody here wrote, built offline from Debian packages.

    python -m nodes.moderation.corpus build     # writes var/moderation/natural.tsv (about 1 min)
    python -m nodes.moderation.corpus stats     # rows per source and split

Why: the moderation sets were written for moderation, so they say little about how often ordinary
text nobody wrote for us raises a false alarm. Three Debian packages ship tens of thousands of
formal Korean sentences (requirements-moderation.txt installs them):

    libreoffice-help-ko   /usr/share/libreoffice/help/ko     office help: menus, instructions
    gimp-help-ko          /usr/share/gimp/2.0/help/ko        image-editor manual: cut, burn, smudge
    debian-faq-ko         /usr/share/doc/debian/FAQ/ko       questions and answers about Debian

All of it is benign (label allow). Each sentence belongs to one of three splits, fixed by a hash
of the DOCUMENT it comes from (so one page never feeds two splits), chosen before any result was
looked at and never changed:

    natural-train  50 %   training negatives for the classifier (committed: data/moderation/natural/)
    natural-dev    20 %   read, its failures studied and fixed
    natural-test   30 %   never used for tuning: its figures are the ones that count

Rows: split, source, document, text (tab-separated). A sentence met twice (spacing and punctuation
aside) is kept once, where first seen (documents in sorted order), so no text is in two splits.
"""
from __future__ import annotations

import hashlib
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "var" / "moderation" / "natural.tsv"
TRAIN_FILE = ROOT / "data" / "moderation" / "natural" / "train.tsv"
SOURCES = {
    "libreoffice-help-ko": Path("/usr/share/libreoffice/help/ko"),
    "gimp-help-ko": Path("/usr/share/gimp/2.0/help/ko"),
    "debian-faq-ko": Path("/usr/share/doc/debian/FAQ/ko"),
}
SPLITS = ("natural-train", "natural-dev", "natural-test")
_SALT = "kiosk-moderation-natural-v1"

_BLOCK_TAGS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "div", "dt", "dd", "br",
               "title", "pre", "tr", "table", "ul", "ol", "blockquote", "caption"}
_SKIP_TAGS = {"script", "style", "head", "noscript", "code", "pre", "kbd", "samp"}
# A sentence ends at . ! ? followed by a space, or at a closing Korean ending followed by a space.
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=[다요까])\.?\s+(?=[A-Z가-힣\"'(])")


class CorpusError(RuntimeError):
    """The Debian packages are missing; the message says how to install them."""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._cur: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self._skip += 1
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._cur.append(data)

    def _flush(self):
        text = " ".join("".join(self._cur).split())
        if text:
            self.blocks.append(text)
        self._cur = []


def split_of(source: str, document: str) -> str:
    """The split of every sentence of one document: a hash, fixed before any result was seen."""
    h = int.from_bytes(hashlib.sha256(f"{_SALT}/{source}/{document}".encode()).digest()[:4], "big") % 20
    return SPLITS[0] if h < 10 else SPLITS[1] if h < 14 else SPLITS[2]


def sentences(block: str) -> list[str]:
    """Korean sentences of one text block, filtered to real prose: mostly Hangul, 3-60 words."""
    out = []
    for s in _SENTENCE_END.split(block):
        s = s.strip(" -•·:;")
        if not 8 <= len(s) <= 240:
            continue
        letters = [c for c in s if c.isalpha()]
        hangul = sum("가" <= c <= "힣" for c in letters)
        if not letters or hangul < 0.6 * len(letters) or hangul < 6 or not 3 <= len(s.split()) <= 60:
            continue
        out.append(s)
    return out


def documents(source: str, base: Path):
    for path in sorted(base.rglob("*.html")):
        parser = _Text()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        parser.close()
        parser._flush()
        yield str(path.relative_to(base)), parser.blocks


def extract(sources: dict[str, Path] = SOURCES) -> list[tuple[str, str, str, str]]:
    """(split, source, document, text) rows from the installed packages."""
    missing = [name for name, base in sources.items() if not base.is_dir()]
    if missing:
        raise CorpusError(f"the natural corpus needs the Debian packages {', '.join(missing)}: install them "
                          f"with `apt-get install {' '.join(missing)}` (scripts/setup does it when "
                          f"`moderation` is in EXTRAS: requirements-moderation.txt)")
    seen: set[str] = set()
    rows = []
    for source, base in sources.items():
        for doc, blocks in documents(source, base):
            split = split_of(source, doc)
            for block in blocks:
                for s in sentences(block):
                    key = "".join(ch for ch in s if ch.isalnum())   # spacing and punctuation aside
                    if key not in seen:
                        seen.add(key)
                        rows.append((split, source, doc, s))
    return rows


def write(rows, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write("split\tsource\tdocument\ttext\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")
    tmp.replace(path)


def read(path: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if n == 1 or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 4 or cols[0] not in SPLITS:
                raise ValueError(f"{path}:{n}: expected split, source, document, text")
            rows.append(tuple(cols))
    return rows


def load(path: Path = DEFAULT_OUT) -> list[tuple[str, str, str, str]]:
    """The corpus, built from the installed packages first when the file is missing."""
    if not path.is_file():
        write(extract(), path)
    return read(path)


def train_texts(path: Path = TRAIN_FILE) -> list[str]:
    """The committed natural-train sentences (the classifier's benign training rows)."""
    return [r[3] for r in read(path) if r[0] == "natural-train"]


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        rows = extract()
        write(rows, DEFAULT_OUT)
        write([r for r in rows if r[0] == "natural-train"], TRAIN_FILE)
        print(f"{len(rows)} sentences -> {DEFAULT_OUT}; natural-train -> {TRAIN_FILE}")
    elif argv[:1] == ["stats"]:
        counts: dict[tuple[str, str], int] = {}
        for split, source, _, _ in load():
            counts[source, split] = counts.get((source, split), 0) + 1
        for (source, split), n in sorted(counts.items()):
            print(f"{source:22} {split:14} {n:6}")
        print(f"{'total':37} {sum(counts.values()):6}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
