"""Fonts of every figure: Latin text in DejaVu Sans, Chinese in Noto Sans CJK when it is installed.

Operators name scenarios and groups in Chinese. matplotlib draws a glyph its font lacks
as an empty box (and warns), so every figure module calls `use_cjk_fonts()` before
drawing: it puts the first installed CJK family after DejaVu Sans in `font.family`,
and matplotlib (>= 3.6) falls back glyph by glyph. `make fonts` installs Debian's
fonts-noto-cjk. Without a CJK font figures still draw, with boxes for Chinese text.

`shorten` keeps long scenario names from running out of a title.
"""

from __future__ import annotations

from functools import cache

__all__ = ["CJK_FAMILIES", "cjk_family", "shorten", "use_cjk_fonts"]

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
"""CJK font families, in order of preference."""
CJK_FILE_WORDS = ("NotoSansCJK", "NotoSerifCJK", "SourceHanSans", "wqy", "DroidSansFallback")
"""Words in the file names of those fonts, to find them when matplotlib's font cache predates them."""


@cache
def cjk_family() -> str | None:
    """Return the first installed CJK font family, or None when there is none."""
    from matplotlib import font_manager

    def find() -> str | None:
        installed = {font.name for font in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in installed), None)

    family = find()
    if family is None:  # installed after matplotlib cached its font list: add the files themselves
        for path in font_manager.findSystemFonts():
            if any(word in path for word in CJK_FILE_WORDS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        family = find()
    return family


def use_cjk_fonts() -> str | None:
    """Make matplotlib fall back to the CJK family for glyphs DejaVu Sans lacks; return that family."""
    import matplotlib

    family = cjk_family()
    if family is not None and family not in matplotlib.rcParams["font.family"]:
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
    return family


def shorten(text: str, limit: int = 60) -> str:
    """Cut `text` to `limit` characters with an ellipsis (a CJK character counts as two: it is twice as wide)."""
    width = 0
    for i, char in enumerate(text):
        width += 2 if ord(char) >= 0x2E80 else 1
        if width > limit:
            return text[: max(1, i - 1)].rstrip() + "…"
    return text
