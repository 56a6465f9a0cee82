"""The quick-start install (`pip install .`) must bring everything `rank --plot` needs."""
import tomllib
from pathlib import Path


def test_matplotlib_is_a_core_dependency():
    meta = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    names = [d.split(">")[0].split("=")[0].strip() for d in meta["project"]["dependencies"]]
    assert "matplotlib" in names


def test_the_cjk_font_and_romanisation_are_core_dependencies():
    """Charts draw Chinese with the packaged font and --lang en spells places in pinyin after `pip install .`."""
    meta = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    names = [d.split(">")[0].split("=")[0].strip() for d in meta["project"]["dependencies"]]
    assert {"pylopdf-fonts-zh-cn", "pypinyin"} <= set(names)
