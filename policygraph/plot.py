"""Bar charts of a ranking (matplotlib, imported only when a chart is drawn) with a CJK font that renders."""
from __future__ import annotations

import functools
import io
import unicodedata
from pathlib import Path

from policygraph.errors import QueryError, UsageError
from policygraph.serialize import write_atomic

__all__ = ["CJK_FONTS", "find_cjk_font", "has_cjk", "packaged_cjk_font", "plot_ranking"]

#: Font families tried, in order, for Chinese labels when the packaged font is missing (a broken
#: install): the usual CJK fonts of Debian (fonts-noto-cjk), macOS and Windows.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Droid Sans Fallback", "PingFang SC", "Heiti SC", "Microsoft YaHei", "SimHei",
             "Noto Sans CJK JP", "Noto Serif CJK SC", "AR PL UMing CN")


def has_cjk(text: str) -> bool:
    """True when the text holds CJK ideographs or full-width forms that a Latin font cannot draw.

    Examples
    --------
    >>> has_cjk("甘肃省科学技术厅"), has_cjk("Gansu Province")
    (True, False)
    """
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def packaged_cjk_font() -> Path | None:
    """The CJK font file that comes with policygraph's install, or None when its package is missing.

    It is Noto Sans SC (SIL Open Font License 1.1), shipped on PyPI by ``pylopdf-fonts-zh-cn``, a
    dependency of policygraph: charts draw Chinese labels with the same font on every machine,
    whatever fonts the system has.
    """
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        return None
    path = Path(sans_path())
    return path if path.is_file() else None


def _register(path: Path) -> str:
    """Add a font file to matplotlib's font list unless it is there, and return its family name."""
    from matplotlib import font_manager

    if not any(f.fname == str(path) for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return _family(str(path))


@functools.cache
def _family(path: str) -> str:
    from matplotlib import font_manager

    return font_manager.FontProperties(fname=path).get_name()


def find_cjk_font() -> str | None:
    """The font family Chinese labels are drawn with: the packaged font, else an installed one of ``CJK_FONTS``.

    matplotlib caches the font list when it is first imported, so the packaged font, and a
    system CJK font installed later, are registered here.
    """
    import re

    from matplotlib import font_manager

    packaged = packaged_cjk_font()
    if packaged is not None:
        return _register(packaged)

    def known():
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in installed), None)

    found = known()
    if found is None:
        pattern = re.compile(r"cjk|wqy|wenquanyi|sourcehan|droidsansfallback|simhei|msyh|pingfang", re.IGNORECASE)
        for path in font_manager.findSystemFonts():
            if pattern.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
                    continue
        found = known()
    return found


def plot_ranking(ranking, path: str | Path, measure: str | None = None, title: str | None = None, width_px: int = 1000, dpi: int = 100) -> Path:
    """Draw a horizontal bar chart of a ranking's rows (first row on top) into a .png or .svg file.

    Parameters
    ----------
    ranking : policygraph.analyse.Ranking
        Agency rows (``rank``) or type rows (``rank_by_type``; bars are labelled type · jurisdiction).
    path : str or Path
        Output file; the suffix chooses PNG or SVG.
    measure : str, optional
        The measure drawn; the ranking's sort measure by default.
    title : str, optional
        The chart's title; "MEASURE: top N" by default.
    width_px, dpi : int
        The picture is ``width_px`` pixels wide and 0.32 inch per bar (plus margins) high.

    ``-`` writes SVG to standard output; a file is replaced atomically (see ``write_atomic``).
    Chinese labels are drawn with the packaged CJK font (``find_cjk_font``); where it and every
    system CJK font are missing this raises a QueryError that says how to install one or to use
    English labels, rather than drawing empty boxes.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    kind = "svg" if str(path) == "-" else path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise UsageError(f"{path}: the chart is written as .png or .svg")
    measure = measure or ranking.sort
    rows = list(ranking.rows)
    if not rows:
        raise UsageError("nothing to plot: the ranking is empty")
    labels = [f"{r['type']} · {r['jurisdiction']}" if ranking.by == "type" else r["agency"] for r in rows]
    values = [float(r.get(measure) or 0) for r in rows]
    font = find_cjk_font()
    if any(has_cjk(label) for label in labels) and font is None:
        raise QueryError("no CJK font to draw Chinese labels: reinstall policygraph (its font comes with "
                         "pip install pylopdf-fonts-zh-cn), install fonts-noto-cjk, or use --lang en")
    with plt.rc_context({"font.family": ["sans-serif"],
                         "font.sans-serif": [*([font] if font else []), "DejaVu Sans"],
                         "svg.fonttype": "path", "axes.unicode_minus": False}):
        height = 1.2 + 0.32 * len(rows)
        fig, ax = plt.subplots(figsize=(width_px / dpi, height), dpi=dpi)
        try:
            default = (f"{measure} by agency type and jurisdiction" if ranking.by == "type"
                       else f"{measure}: top {len(rows)} agencies")
            _draw_bars(ax, labels, values, measure, title or default)
            fig.tight_layout()
            picture = io.BytesIO()
            fig.savefig(picture, format=kind, dpi=dpi)
        finally:
            plt.close(fig)
    write_atomic(path, picture.getvalue())
    return path


def _draw_bars(ax, labels: list[str], values: list[float], measure: str, title: str) -> None:
    """One bar a row, the first on top, each with its value at its end; no frame on the top and right."""
    ax.barh(range(len(labels)), values, color="#3b6ea5")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(measure)
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:.4g}", va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left")
    ax.margins(x=0.12)
