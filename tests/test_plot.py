"""policygraph.plot: a real PNG of the expected size, SVG, and Chinese labels drawn with a CJK font."""
from __future__ import annotations

import struct
import warnings
from importlib.metadata import metadata
from pathlib import Path

import pytest

from policygraph.analyse import rank, rank_by_type
from policygraph.errors import QueryError
from policygraph.plot import find_cjk_font, has_cjk, packaged_cjk_font, plot_ranking

pytest.importorskip("matplotlib")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_cjk_font_comes_with_the_install():
    path = packaged_cjk_font()
    assert path is not None and path.suffix == ".otf" and path.stat().st_size > 1_000_000
    assert find_cjk_font() == "Noto Sans SC"
    meta = metadata("pylopdf-fonts-zh-cn")
    assert "SIL Open Font License" in (meta.get("License") or "") + " ".join(meta.get_all("Classifier") or [])


@pytest.fixture
def no_system_fonts(monkeypatch):
    """matplotlib as on a machine without any CJK system font: only its own fonts and the packaged one."""
    import matplotlib
    from matplotlib import font_manager

    own = Path(matplotlib.get_data_path()).resolve()
    packaged = str(packaged_cjk_font())
    manager = font_manager.fontManager
    kept = [f for f in manager.ttflist if f.fname == packaged or Path(f.fname).resolve().is_relative_to(own)]
    monkeypatch.setattr(manager, "ttflist", kept)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    manager._findfont_cached.cache_clear()
    yield manager
    manager._findfont_cached.cache_clear()


def test_chinese_labels_are_drawn_with_the_packaged_font_without_system_fonts(no_system_fonts, seed_graph, tmp_path):
    from matplotlib import font_manager

    assert not [f for f in no_system_fonts.ttflist if "CJK" in f.name]
    ranking = rank(seed_graph, top=20)
    assert all(has_cjk(r["agency"]) for r in ranking.rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = plot_ranking(ranking, tmp_path / "rank.png", title="甘肃省、青海省、宁夏回族自治区")
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert font_manager.findfont(font_manager.FontProperties(family="Noto Sans SC"),
                                 fallback_to_default=False) == str(packaged_cjk_font())
    assert png_size(out)[0] == 1000


def test_a_missing_font_is_reported_not_drawn_as_boxes(monkeypatch, small_graph, tmp_path):
    import policygraph.plot as plot

    monkeypatch.setattr(plot, "packaged_cjk_font", lambda: None)
    monkeypatch.setattr(plot, "CJK_FONTS", ("No Such Font",))
    with pytest.raises(QueryError, match=r"no CJK font .* pylopdf-fonts-zh-cn.* --lang en"):
        plot_ranking(rank(small_graph), tmp_path / "rank.png")


def test_png_of_the_right_size(small_graph, tmp_path):
    out = plot_ranking(rank(small_graph), tmp_path / "rank.png")
    # 1000 px wide; 1.2 inch of margins + 0.32 inch per bar at 100 dpi
    assert png_size(out) == (1000, round((1.2 + 0.32 * 5) * 100))
    assert out.stat().st_size > 5000


def test_svg_draws_chinese_labels_as_paths(small_graph, tmp_path):
    out = plot_ranking(rank_by_type(small_graph), tmp_path / "types.svg", title="类型")
    text = out.read_text("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "<path" in text


def test_plot_refuses_other_formats_and_empty_rankings(small_graph, tmp_path):
    with pytest.raises(QueryError, match=".png or .svg"):
        plot_ranking(rank(small_graph), tmp_path / "rank.jpg")
    empty = rank(small_graph, agency_type="Finance", jurisdiction="乙省")
    with pytest.raises(QueryError, match="nothing to plot"):
        plot_ranking(empty, tmp_path / "empty.png")


def test_has_cjk():
    assert has_cjk("甲省财政厅") and has_cjk("（１）") and not has_cjk("Finance · Jia Province")
