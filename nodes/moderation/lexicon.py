"""The moderation lexicons: abuse.yaml and crisis.yaml, loaded and compiled. Errors name the file
and the key (LexiconError)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import korean

ABUSE_CATEGORIES = ("profanity", "hate", "sexual", "threat")


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and key."""


@dataclass
class _Term:
    term: str
    category: str
    abbrev: bool
    unless: list[tuple[str, str | None]]   # (lemma, tag or None)
    words: list[int]                       # letters per word when written with spaces ("미친 새끼")
    regex: re.Pattern | None = None


@dataclass
class _Rule:
    regex: re.Pattern | None
    category: str
    hotline: str | None = None
    parts: list[re.Pattern] | None = None  # a composed rule: `need` of these, in any order
    need: int = 0
    firm: bool = False                     # the classifier may not veto a hit of this rule


@dataclass
class _CrisisCategory:
    name: str
    hotline: str
    priority: int
    rules: list[_Rule]
    exclude: list[re.Pattern]


def _compile_phrase(pattern: str, groups: dict[str, str], where: str) -> re.Pattern:
    """A literal space in a lexicon pattern means optional whitespace."""
    def group(m: re.Match) -> str:
        if m.group(1) not in groups:
            raise LexiconError(f"{where}: unknown group {{{m.group(1)}}} in {pattern!r}")
        return groups[m.group(1)]

    text = re.sub(r"\{([a-z_]+)\}", group, str(pattern))
    text = re.sub(r"(?<!\\) [?*]?", r"\\s*", text)
    try:
        return re.compile(text)
    except re.error as exc:
        raise LexiconError(f"{where}: bad pattern {pattern!r}: {exc}") from None


def _load_yaml(path: Path) -> dict:
    if not path.is_file():
        raise LexiconError(f"{path}: lexicon file missing")
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: top level must be a mapping")
    return data


def _check_keys(data: dict, allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {sorted(unknown)}")


class _AbuseLexicon:
    def __init__(self, path: Path) -> None:
        data = _load_yaml(path)
        _check_keys(data, {"leet", "allow", "suffixes", "prefixes", "groups", "categories", "model_exclude"},
                    str(path))
        groups = {str(k): str(v) for k, v in (data.get("groups") or {}).items()}
        self.model_exclude = [_compile_phrase(p, groups, f"{path}: model_exclude")
                              for p in data.get("model_exclude") or []]
        self.leet: dict[str, str] = {str(k).lower(): str(v) for k, v in (data.get("leet") or {}).items()}
        self.allow: list[str] = [korean.skeleton(korean.normalize(str(a))).text for a in data.get("allow") or []]
        self.suffixes: set[str] = {str(s) for s in data.get("suffixes") or []}
        self.prefixes: set[str] = {str(s) for s in data.get("prefixes") or []}
        self.terms: list[_Term] = []
        self.phrases: list[_Rule] = []
        self.excludes: dict[str, list[re.Pattern]] = {}
        self.term_excludes: dict[str, list[re.Pattern]] = {}
        self.latin: dict[str, str] = {}
        for category, body in (data.get("categories") or {}).items():
            where = f"{path}: categories.{category}"
            if category not in ABUSE_CATEGORIES:
                raise LexiconError(f"{where}: unknown category (known: {ABUSE_CATEGORIES})")
            _check_keys(body, {"terms", "phrases", "exclude", "term_exclude", "latin"}, where)
            for entry in body.get("terms") or []:
                self.terms.append(self._term(entry, category, where))
            for p in body.get("phrases") or []:
                self.phrases.append(_Rule(_compile_phrase(p, groups, where), category))
            self.excludes[category] = [_compile_phrase(p, groups, where) for p in body.get("exclude") or []]
            self.term_excludes[category] = [_compile_phrase(p, groups, where)
                                            for p in body.get("term_exclude") or []]
            for word in body.get("latin") or []:
                self.latin[str(word).lower()] = category
        self.term_regex = self._build_term_regex()
        self.allow_regex = re.compile("|".join(map(re.escape, sorted(self.allow, key=len, reverse=True)))) \
            if self.allow else None
        self.latin_regex = re.compile(
            r"(?<![a-z])(" + "|".join(map(re.escape, sorted(self.latin, key=len, reverse=True))) + r")(?![a-z])") \
            if self.latin else None

    @staticmethod
    def _term(entry, category: str, where: str) -> _Term:
        if isinstance(entry, str):
            entry = {"term": entry}
        if not isinstance(entry, dict) or "term" not in entry:
            raise LexiconError(f"{where}.terms: entry {entry!r} needs a 'term'")
        _check_keys(entry, {"term", "abbrev", "unless"}, f"{where}.terms[{entry['term']}]")
        # Terms go through the same normalisation as the text (elongation, jamo).
        raw = str(entry["term"])
        words = [len(korean.skeleton(korean.normalize(w)).text) for w in raw.split()]
        term = korean.skeleton(korean.normalize(raw)).text
        syllables = sum(korean.is_syllable(c) for c in term)
        unless = []
        for u in entry.get("unless") or []:
            lemma, _, tag = str(u).partition("/")
            unless.append((lemma, tag or None))
        return _Term(term, category, bool(entry.get("abbrev", True)) and syllables >= 2, unless, words)

    def _build_term_regex(self) -> re.Pattern:
        """One alternation over all terms, longest first. Each letter may repeat (씨씨발) and,
        for abbreviable terms, may be written as its initial consonant (ㅅㅂ, ㅅ발)."""
        parts = []
        self.order = sorted(range(len(self.terms)), key=lambda i: len(self.terms[i].term), reverse=True)
        for i in self.order:
            t = self.terms[i]
            pieces = []
            for ch in t.term:
                if t.abbrev and korean.is_syllable(ch):
                    family = korean.CONSONANT_FAMILY.get(korean.initial_of(ch), korean.initial_of(ch))
                    pieces.append(f"(?:{ch}|[{family}])+")
                else:
                    pieces.append(f"{re.escape(ch)}+")
            t.regex = re.compile("".join(pieces))
            parts.append(f"(?P<t{i}>{''.join(pieces)})")
        return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")


class _CrisisLexicon:
    def __init__(self, path: Path) -> None:
        data = _load_yaml(path)
        _check_keys(data, {"groups", "frames", "categories"}, str(path))
        groups = {str(k): str(v) for k, v in (data.get("groups") or {}).items()}
        self.frames = [_compile_phrase(p, groups, f"{path}: frames") for p in data.get("frames") or []]
        self.categories: list[_CrisisCategory] = []
        for name, body in (data.get("categories") or {}).items():
            where = f"{path}: categories.{name}"
            _check_keys(body, {"hotline", "priority", "patterns", "exclude"}, where)
            if "hotline" not in body:
                raise LexiconError(f"{where}: needs a hotline")
            rules = [self._rule(p, name, groups, f"{where}.patterns") for p in body.get("patterns") or []]
            self.categories.append(_CrisisCategory(
                name, str(body["hotline"]), int(body.get("priority", 9)), rules,
                [_compile_phrase(p, groups, where) for p in body.get("exclude") or []]))

    @staticmethod
    def _rule(entry, category: str, groups: dict[str, str], where: str) -> _Rule:
        """A pattern string; {pattern, hotline}; or {parts: [...], need: N, hotline} where N of the
        parts (default all) must each match somewhere in the utterance, in any order."""
        if not isinstance(entry, dict):
            return _Rule(_compile_phrase(entry, groups, where), category)
        _check_keys(entry, {"pattern", "parts", "need", "hotline", "firm"}, where)
        hotline = str(entry["hotline"]) if entry.get("hotline") else None
        firm = bool(entry.get("firm", False))
        if ("pattern" in entry) == ("parts" in entry):
            raise LexiconError(f"{where}: an entry needs exactly one of 'pattern' or 'parts'")
        if "pattern" in entry:
            if "need" in entry:
                raise LexiconError(f"{where}: 'need' goes with 'parts', not 'pattern'")
            return _Rule(_compile_phrase(entry["pattern"], groups, where), category, hotline, firm=firm)
        parts = entry["parts"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise LexiconError(f"{where}: 'parts' must list at least two patterns")
        need = entry.get("need", len(parts))
        if not isinstance(need, int) or not 1 <= need <= len(parts):
            raise LexiconError(f"{where}: 'need' must be 1..{len(parts)}, got {need!r}")
        return _Rule(None, category, hotline, [_compile_phrase(q, groups, where) for q in parts], need, firm)
