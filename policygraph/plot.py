"""Bar charts of a ranking (matplotlib, imported only when a chart is drawn) with a CJK font that renders."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from policygraph.errors import QueryError
from policygraph.serialize import write_atomic

__all__ = ["CJK_FONTS", "find_cjk_font", "has_cjk", "plot_ranking"]

#: Font families tried, in order, for Chinese labels. Debian's fonts-noto-cjk (installed by .ci/run)
#: provides Noto Sans CJK SC; the others are the usual CJK fonts of Debian, macOS and Windows.
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


def find_cjk_font() -> str | None:
    """The name of the first installed font family of ``CJK_FONTS``, or None.

    matplotlib caches the font list when it is first imported, so a CJK font installed
    later is looked for among the system's font files and registered.
    """
    import re

    from matplotlib import font_manager

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
    Chinese labels need a CJK font (``find_cjk_font``); without one this raises a QueryError
    that says how to install it or to use English labels, rather than drawing empty boxes.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    kind = "svg" if str(path) == "-" else path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise QueryError(f"{path}: the chart is written as .png or .svg")
    measure = measure or ranking.sort
    rows = list(ranking.rows)
    if not rows:
        raise QueryError("nothing to plot: the ranking is empty")
    if ranking.by == "type":
        labels = [f"{r['type']} · {r['jurisdiction']}" for r in rows]
    else:
        labels = [r["agency"] for r in rows]
    values = [float(r.get(measure) or 0) for r in rows]
    font = find_cjk_font()
    if any(has_cjk(label) for label in labels) and font is None:
        raise QueryError("no CJK font is installed to draw Chinese labels: install fonts-noto-cjk "
                         "(Debian/Ubuntu) or use --lang en")
    with plt.rc_context({"font.family": ["sans-serif"],
                         "font.sans-serif": [*([font] if font else []), "DejaVu Sans"],
                         "svg.fonttype": "path", "axes.unicode_minus": False}):
        height = 1.2 + 0.32 * len(rows)
        fig, ax = plt.subplots(figsize=(width_px / dpi, height), dpi=dpi)
        try:
            ax.barh(range(len(rows)), values, color="#3b6ea5")
            ax.set_yticks(range(len(rows)), labels)
            ax.invert_yaxis()
            ax.set_xlabel(measure)
            for i, v in enumerate(values):
                ax.text(v, i, f" {v:.4g}", va="center", fontsize=8)
            ax.spines[["top", "right"]].set_visible(False)
            default = (f"{measure} by agency type and jurisdiction" if ranking.by == "type"
                       else f"{measure}: top {len(rows)} agencies")
            ax.set_title(title or default, loc="left")
            ax.margins(x=0.12)
            fig.tight_layout()
            picture = io.BytesIO()
            fig.savefig(picture, format=kind, dpi=dpi)
        finally:
            plt.close(fig)
    write_atomic(path, picture.getvalue())
    return path
