"""policygraph.plot: a real PNG of the expected size, SVG, and Chinese labels drawn with a CJK font."""
from __future__ import annotations

import struct

import pytest

from policygraph.analyse import rank, rank_by_type
from policygraph.errors import QueryError
from policygraph.plot import find_cjk_font, has_cjk, plot_ranking

pytest.importorskip("matplotlib")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_a_cjk_font_is_installed():
    # .ci/run installs Debian's fonts-noto-cjk; without it Chinese labels would be empty boxes
    assert find_cjk_font() is not None


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
