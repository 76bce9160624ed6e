"""The CJK font every PDF embeds (the `PDF_FONT` setting): which face of a collection is Simplified Chinese, and
that face as a single font file for libraries that cannot open a collection (matplotlib)."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

from fontTools.ttLib import TTCollection

from dashboard.core import settings


def font_path() -> str:
    """The configured font, checked to exist."""
    path = settings.get("PDF_FONT")
    if not Path(path).is_file():
        raise FileNotFoundError(f"PDF_FONT {path} not found (install fonts-noto-cjk or set COCKPIT_PDF_FONT)")
    return path


@functools.lru_cache(maxsize=4)
def face_index(path: str) -> int:
    """The index of the Simplified Chinese face in a font collection (0 for a single font file)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    for index, font in enumerate(TTCollection(path).fonts):
        if " SC" in str(font["name"].getDebugName(1)):
            return index
    return 0


@functools.lru_cache(maxsize=4)
def single_face(path: str) -> str:
    """`path` itself when it is one font, else its Simplified Chinese face saved once as an .otf file in the
    temporary directory (named by the collection's path, size and time, so a changed font is extracted again)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return path
    stat = os.stat(path)
    tag = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"cockpit-font-{tag}.otf"
    if not target.is_file():
        partial = target.with_suffix(f".{os.getpid()}.part")
        TTCollection(path).fonts[face_index(path)].save(str(partial))
        partial.replace(target)
    return str(target)
