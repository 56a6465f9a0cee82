"""Tests for policygraph.load: file discovery, encoding detection, HTML text and page furniture."""
from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest

from policygraph.errors import InputError
from policygraph.load import (
    DEFAULT_MAX_BYTES,
    TEXT_SUFFIXES,
    is_furniture_line,
    iter_input_files,
    load_document,
    strip_furniture,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "seeds").glob("*.txt"))
HTML_FIXTURES = Path(__file__).parent / "fixtures" / "html"

JILIN = (ROOT / "data" / "seeds" / "001_af53bcfdcd3fec12.txt").read_text(encoding="utf-8")
JILIN_TARGETS = next(line for line in JILIN.splitlines() if "到２０２０年" in line and "１００家以上" in line)
# A few lines as written: full-width digits, ideographic-space indents, 〔〕 brackets.
JILIN_PASSAGE = "\n".join(JILIN.splitlines()[:3] + [JILIN_TARGETS]) + "\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def reason(exc_info) -> str:
    return exc_info.value.reason


# ---------------------------------------------------------------- encodings

ENCODINGS = [
    # (label, bytes from text, codec recorded)
    ("utf-8", lambda t: t.encode("utf-8"), "utf-8"),
    ("utf-8 with BOM", lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
    ("gb18030", lambda t: t.encode("gb18030"), "gb18030"),
    ("gbk", lambda t: t.encode("gbk"), "gb18030"),
    ("gb2312", lambda t: t.encode("gb2312"), "gb18030"),
    ("utf-16-le with BOM", lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be with BOM", lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16-be"),
    ("utf-16-le without BOM", lambda t: t.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be without BOM", lambda t: t.encode("utf-16-be"), "utf-16-be"),
    ("utf-32 with BOM", lambda t: t.encode("utf-32"), "utf-32-le"),
]


@pytest.mark.parametrize("label,encode,codec", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_each_encoding_decodes_the_jilin_passage_exactly(tmp_path, label, encode, codec):
    raw = encode(JILIN_PASSAGE)
    doc = load_document(write(tmp_path, "jilin.txt", raw))
    assert doc.text == JILIN_PASSAGE
    assert "到２０２０年" in doc.text and "建成１００家以上" in doc.text
    assert doc.encoding == codec
    assert doc.media_type == "text/plain"
    assert doc.content_hash == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
@pytest.mark.parametrize("codec", ["utf-8", "gb18030", "utf-16-le"])
def test_whole_seed_documents_round_trip(tmp_path, seed, codec):
    text = seed.read_text(encoding="utf-8")
    doc = load_document(write(tmp_path, seed.name, text.encode(codec)))
    assert doc.text == text
    assert doc.encoding == codec
    assert doc.source_file == seed.name


def test_seed_file_as_shipped(tmp_path):
    seed = SEEDS[0]
    doc = load_document(seed)
    assert doc.path == str(seed)
    assert doc.source_file == seed.name
    assert doc.text == seed.read_text(encoding="utf-8")
    assert doc.content_hash == hashlib.sha256(seed.read_bytes()).hexdigest()
    assert load_document(seed) == doc


def test_windows_line_endings_become_newlines_and_nothing_else_changes(tmp_path):
    text = "　　一、总体要求  \r\n\r\n　　到２０２０年，建成１００家以上。\t\r\n老式Mac行尾\r（省科技厅负责）"
    doc = load_document(write(tmp_path, "crlf.txt", text.encode("gbk")))
    assert doc.text == "　　一、总体要求  \n\n　　到２０２０年，建成１００家以上。\t\n老式Mac行尾\n（省科技厅负责）"
    assert doc.encoding == "gb18030"


def test_bom_is_not_part_of_the_text(tmp_path):
    doc = load_document(write(tmp_path, "bom.txt", "\ufeff一、总体要求\n".encode("utf-8")))
    assert doc.text == "一、总体要求\n"
    assert doc.encoding == "utf-8-sig"


def test_big5_falls_back_to_detection_and_says_so(tmp_path):
    text = "國務院辦公廳關於發展眾創空間推進大眾創新創業的指導意見。各省、自治區、直轄市人民政府，國務院各部委、各直屬機構：為加快實施創新驅動發展戰略，適應和引領經濟發展新常態。\n" * 3
    doc = load_document(write(tmp_path, "big5.txt", text.encode("big5")))
    assert doc.text == text
    assert doc.encoding in {"big5", "big5hkscs", "cp950"}


def test_latin_text_is_refused_rather_than_guessed(tmp_path):
    raw = "Les entreprises créées à Paris ont été aidées. Über die Straße.".encode("cp1252")
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "latin.txt", raw))
    assert "cannot decode" in reason(exc)
    assert "utf-8" in reason(exc) and "utf-16" in reason(exc) and "gb18030" in reason(exc)


def test_utf8_with_one_broken_byte_is_refused_with_its_offset(tmp_path):
    raw = bytearray(JILIN_PASSAGE.encode("utf-8"))
    raw[60] = 0xFF
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "broken.txt", bytes(raw)))
    assert "cannot decode" in reason(exc)
    assert "offset" in reason(exc)


# ---------------------------------------------------------------- bad inputs


def test_empty_file(tmp_path):
    path = write(tmp_path, "empty.txt", b"")
    with pytest.raises(InputError) as exc:
        load_document(path)
    assert exc.value.path == str(path)
    assert "empty" in reason(exc)
    assert str(exc.value) == f"{path}: {reason(exc)}"


@pytest.mark.parametrize(
    "raw",
    [b"   \n\n\t", " \r\n\u3000\u3000\n".encode("utf-8"), "\ufeff\n".encode("utf-8"), " \n".encode("utf-16")],
    ids=["ascii", "ideographic-space", "bom-only", "utf-16"],
)
def test_whitespace_only_file(tmp_path, raw):
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "blank.txt", raw))
    assert "empty" in reason(exc) and "whitespace" in reason(exc)


@pytest.mark.parametrize(
    "raw,kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), ".doc"),
        (b"{\\rtf1\\ansi\\ansicpg936 \\'d6\\'d0}", "RTF"),
    ],
    ids=["png", "pdf", "zip", "ole", "rtf"],
)
def test_binary_formats_are_named(tmp_path, raw, kind):
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "policy.txt", raw))
    assert "binary" in reason(exc)
    assert kind in reason(exc)


def test_random_bytes_with_nul_are_binary(tmp_path):
    rng = random.Random(20170730)
    raw = bytes(rng.randrange(256) for _ in range(4096))
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "noise.txt", raw))
    assert "binary" in reason(exc)


def test_random_high_bytes_are_undecodable(tmp_path):
    rng = random.Random(2015)
    raw = bytes(rng.randrange(0x80, 0x100) for _ in range(4096))
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "noise.txt", raw))
    assert "cannot decode" in reason(exc)


def test_nul_bytes_that_are_not_utf16(tmp_path):
    raw = "一、总体要求".encode("utf-8") + b"\x00\x00\x00" + "（省科技厅负责）".encode("utf-8")
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "nul.txt", raw))
    assert "binary" in reason(exc)


def test_directory(tmp_path):
    with pytest.raises(InputError) as exc:
        load_document(tmp_path)
    assert "directory" in reason(exc)


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as exc:
        load_document(tmp_path / "gone.txt")
    assert reason(exc) == "no such file or directory"


def test_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    path.touch()
    os.truncate(path, 100 * 1024 * 1024)  # sparse: 100 MB of NUL bytes that are never read
    with pytest.raises(InputError) as exc:
        load_document(path)
    assert "100.0 MiB" in reason(exc)
    assert "50.0 MiB" in reason(exc)
    assert "binary" not in reason(exc)  # reading it would have found NUL bytes
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


def test_max_bytes_is_a_parameter(tmp_path):
    path = write(tmp_path, "plan.txt", JILIN_PASSAGE.encode("utf-8"))
    with pytest.raises(InputError) as exc:
        load_document(path, max_bytes=100)
    assert "limit" in reason(exc) and "100 bytes" in reason(exc)
    assert load_document(path, max_bytes=path.stat().st_size).text == JILIN_PASSAGE


# ---------------------------------------------------------------- discovery


def test_folder_expansion_is_sorted_recursive_and_filtered(tmp_path):
    for name in [
        "b.txt",
        "a.html",
        "sub/z.htm",
        "sub/deeper/c.TXT",
        "sub/notes.text",
        "image.png",
        "report.pdf",
        ".hidden.txt",
        ".git/config.txt",
        "sub/.cache/x.html",
    ]:
        write(tmp_path, name, "一、总体要求\n".encode("utf-8"))
    found = iter_input_files([tmp_path])
    assert [e for _, e in found] == [None] * 5
    assert [p.relative_to(tmp_path).as_posix() for p, _ in found] == [
        "a.html",
        "b.txt",
        "sub/deeper/c.TXT",
        "sub/notes.text",
        "sub/z.htm",
    ]
    assert all(p.suffix.lower() in TEXT_SUFFIXES for p, _ in found)


def test_explicit_files_are_kept_in_order_and_errors_reported(tmp_path):
    odd = write(tmp_path, "plan.md", "一、总体要求\n".encode("utf-8"))
    hidden = write(tmp_path, ".draft.txt", "一、总体要求\n".encode("utf-8"))
    folder = tmp_path / "docs"
    write(folder, "2.txt", b"x")
    write(folder, "1.txt", b"x")
    missing = tmp_path / "missing.txt"
    found = iter_input_files([str(odd), missing, folder, hidden, odd])
    assert [p for p, _ in found] == [odd, missing, folder / "1.txt", folder / "2.txt", hidden]
    errors = {p: e for p, e in found if e is not None}
    assert list(errors) == [missing]
    assert isinstance(errors[missing], InputError)
    assert errors[missing].path == str(missing)
    assert errors[missing].reason == "no such file or directory"


def test_empty_folder_is_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path, "empty/picture.png", b"\x89PNG\r\n\x1a\n")
    [(path, error)] = iter_input_files([tmp_path / "empty"])
    assert path == tmp_path / "empty"
    assert isinstance(error, InputError)


def test_folder_listing_is_deterministic(tmp_path):
    for i in range(20):
        write(tmp_path, f"d{i % 3}/{(i * 7) % 20:02d}.txt", b"x")
    assert iter_input_files([tmp_path]) == iter_input_files([tmp_path])


# ---------------------------------------------------------------- HTML


@pytest.fixture
def gov_page() -> bytes:
    return (HTML_FIXTURES / "gov_page.html").read_bytes()


def test_government_page_keeps_the_document(gov_page, tmp_path):
    doc = load_document(write(tmp_path, "page.html", gov_page))
    text = doc.text
    assert doc.media_type == "text/html"
    assert doc.encoding == "utf-8"
    assert doc.source_file == "page.html"
    assert doc.content_hash == hashlib.sha256(gov_page).hexdigest()
    lines = text.splitlines()
    assert lines[0] == "甘肃省人民政府办公厅关于发展众创空间推进大众创新创业的实施意见"
    assert "甘政办发〔2015〕88号" in lines
    assert "一、总体要求" in lines
    assert "到2020年，全省建成50家以上众创空间，培育一批天使投资人和创业投资机构。" in lines
    assert (
        "（一）加快构建众创空间。总结推广创客空间、创业咖啡等新型孵化模式，加强宣传，"
        "通过微信公众号等新媒体开展政策解读。（责任单位：省科技厅、省财政厅）"
    ) in lines
    assert "（二）完善创业投融资机制。发挥财政资金杠杆作用，设立甘肃省创新创业投资引导基金。（省财政厅牵头，省科技厅、省金融办配合）" in lines
    # a source line break between two Chinese characters is not a space; &nbsp; indents go
    assert "精神， 加快" not in text and "精神，加快我省实施创新驱动发展战略" in text
    assert "\n为贯彻落实《国务院办公厅" in text
    # table rows become lines with tab-separated cells; <br> becomes a line break
    assert "序号\t重点任务\t责任单位" in lines
    assert "1\t建设众创空间\t省科技厅" in lines
    assert lines[-2:] == ["甘肃省人民政府办公厅", "2015年6月8日"]


@pytest.mark.parametrize(
    "furniture",
    [
        "siteName",  # script
        "欢迎访问本网站",  # document.write inside a script
        "_trackPageview",
        "微软雅黑",  # style
        "导航菜单",
        "政务公开",  # nav menu and breadcrumb
        "当前位置",
        "互动交流",
        "登录",  # top bar
        "请输入关键字",
        "搜索",
        "浏览量",
        "来源：",
        "发布时间",
        "字体",
        "打印本页",
        "关闭窗口",
        "分享到",
        "QQ空间",
        "扫描二维码",
        "本文链接",
        "相关文章",
        "关于加快科技企业孵化器建设的通知",
        "热点专题",  # aside
        "不支持脚本",  # noscript
        "广告位",  # iframe
        "隐藏的统计代码文字",  # display:none
        "网站地图",
        "版权所有",
        "ICP备",
        "公网安备",
        "门户网站",  # <title> is not used when the body has text
    ],
)
def test_government_page_drops_furniture(gov_page, tmp_path, furniture):
    doc = load_document(write(tmp_path, "page.html", gov_page))
    assert furniture not in doc.text


def test_gbk_page_with_meta_charset(gov_page, tmp_path):
    utf8 = load_document(write(tmp_path, "utf8.html", gov_page))
    html = gov_page.decode("utf-8").replace(
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />', '<meta charset="gbk">'
    )
    assert '<meta charset="gbk">' in html
    doc = load_document(write(tmp_path, "gbk.html", html.encode("gbk")))
    assert doc.encoding == "gb18030"
    assert doc.text == utf8.text
    assert "（责任单位：省科技厅、省财政厅）" in doc.text


def test_gb2312_http_equiv_declaration(tmp_path):
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "</head><body><p>到２０２０年，建成１００家以上众创空间。（省科技厅负责）</p></body></html>"
    )
    doc = load_document(write(tmp_path, "p.htm", html.encode("gb2312")))
    assert doc.encoding == "gb18030"
    assert doc.text == "到２０２０年，建成１００家以上众创空间。（省科技厅负责）\n"


def test_wrong_single_byte_declaration_does_not_win(tmp_path):
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>到２０２０年，建成１００家以上众创空间。</p></body></html>'
    doc = load_document(write(tmp_path, "p.html", html.encode("gbk")))
    assert doc.encoding == "gb18030"
    assert doc.text == "到２０２０年，建成１００家以上众创空间。\n"


def test_utf8_page_mislabelled_gbk_is_read_as_utf8(tmp_path):
    html = '<html><head><meta charset="gb2312"></head><body><p>到２０２０年，建成１００家以上众创空间。</p></body></html>'
    doc = load_document(write(tmp_path, "p.html", html.encode("utf-8")))
    assert doc.encoding == "utf-8"
    assert doc.text == "到２０２０年，建成１００家以上众创空间。\n"


def test_html_is_sniffed_in_a_txt_file(tmp_path):
    raw = "\n  <!DOCTYPE html><html><body><div>一、总体要求</div><div>（省科技厅负责）</div></body></html>".encode()
    doc = load_document(write(tmp_path, "saved.txt", raw))
    assert doc.media_type == "text/html"
    assert doc.text == "一、总体要求\n（省科技厅负责）\n"


def test_txt_mentioning_tags_stays_plain(tmp_path):
    text = "网页中的<p>标签不是HTML文件。\n"
    doc = load_document(write(tmp_path, "plain.txt", text.encode()))
    assert doc.media_type == "text/plain" and doc.text == text


def test_whole_page_form_and_print_wrapper_are_kept(tmp_path):
    body = "".join(
        f"<p>（{n}）加快构建众创空间，推动创新创业服务平台建设，支持各类孵化载体发展。（省科技厅负责）</p>"
        for n in "一二三四五"
    )
    html = (
        '<html><body><form id="form1" method="post" action="./Show.aspx">'
        '<div class="nav"><a href="/">首页</a> <a href="/x">新闻中心</a></div>'
        f'<div id="printContent">{body}</div>'
        '<div class="print_btn"><a href="#">打印</a></div>'
        "</form></body></html>"
    )
    doc = load_document(write(tmp_path, "aspx.html", html.encode()))
    assert doc.text.count("（省科技厅负责）") == 5
    assert "新闻中心" not in doc.text
    assert "打印" not in doc.text


def test_article_header_title_is_kept_but_site_header_dropped(tmp_path):
    html = (
        "<html><body><header><a href='/'>某省人民政府门户网站</a></header>"
        "<article><header><h1>某省人民政府关于大力推进大众创业万众创新的实施意见</h1></header>"
        "<p>一、总体要求</p></article><footer>版权所有 某省人民政府</footer></body></html>"
    )
    doc = load_document(write(tmp_path, "a.html", html.encode()))
    assert doc.text == "某省人民政府关于大力推进大众创业万众创新的实施意见\n一、总体要求\n"


def test_entities_spaces_and_blank_lines(tmp_path):
    html = (
        "<html><body><div>第一段&nbsp;&nbsp;&ensp;文字&emsp;末尾&nbsp;&nbsp;</div>"
        "<br><br><br><br><p>&ldquo;四众&rdquo;平台&amp;&lt;载体&gt;&#12288;全角&#x4E2D;</p>"
        "<p>加快\n   推进</p><p>Open\n  source</p></body></html>"
    )
    doc = load_document(write(tmp_path, "e.html", html.encode()))
    assert doc.text == "第一段 文字 末尾\n\n“四众”平台&<载体>\u3000全角中\n加快推进\nOpen source\n"


def test_missing_head_end_tag_does_not_hide_the_body(tmp_path):
    html = "<html><head><title>标题</title><meta charset='utf-8'><div>一、总体要求</div></html>"
    doc = load_document(write(tmp_path, "h.html", html.encode()))
    assert doc.text == "一、总体要求\n"


def test_title_is_used_only_when_nothing_else(tmp_path):
    html = "<html><head><title>关于发展众创空间的实施意见</title></head><body><script>x()</script></body></html>"
    doc = load_document(write(tmp_path, "t.html", html.encode()))
    assert doc.text == "关于发展众创空间的实施意见\n"


def test_page_without_visible_text(tmp_path):
    html = "<html><head><style>p{}</style></head><body><script>var a = '中文';</script></body></html>"
    with pytest.raises(InputError) as exc:
        load_document(write(tmp_path, "blank.html", html.encode()))
    assert "visible text" in reason(exc)


# ---------------------------------------------------------------- furniture lines

FURNITURE = [
    "浏览量:时间:2017-07-30 08:14:25",
    "浏览次数：1024",
    "【阅读量：356】",
    "本文链接://www.angelgibson.com/policy/22851.html",
    "原文地址：http://www.gov.cn/zhengce/content/2015-03/11/content_9519.htm",
    "郑州外资企业服务中心微信公众号",
    "中国政府网微信公众号",
    "官方微信",
    "扫描二维码 关注我们",
    "扫一扫在手机打开当前页",
    "微信扫一扫：分享",
    "本文关键词:青政办,青海省,办公厅,大众创业,万众创新,支撑,平台,建设,服务,实体,经济,转型,升级,实施意见",
    "分享到：",
    "分享到： 微信 微博 QQ空间",
    "【打印本页】【关闭窗口】",
    "[ 打印 ] [ 关闭 ]",
    "【字体：大 中 小】",
    "字体：大 中 小",
    "【 收藏 】【 打印 】【 返回顶部 】",
    "来源：甘肃省人民政府网 发布时间：2015-06-18 10:32",
    "信息来源：省科技厅",
    "发布日期：2017-01-05",
    "责任编辑：张三",
    "【责任编辑：李四】",
    "上一篇：关于印发某某办法的通知",
    "下一篇",
    "网站地图 | 联系我们 | 网站声明",
    "设为首页 | 加入收藏",
    "版权所有：甘肃省人民政府办公厅 主办",
    "Copyright © 2017 www.gansu.gov.cn All Rights Reserved",
    "陇ICP备05000552号",
    "京公网安备 11010202000001号",
    "网站标识码：6200000001",
    "当前位置：首页 > 政务公开 > 政策文件",
    "您现在的位置：首页 > 政策法规",
    "首页 > 政务公开 > 政策文件",
    "相关链接",
]

NOT_FURNITURE = [
    "加强宣传，通过微信公众号等新媒体开展政策解读。",
    "（三）加强宣传推广。各地区、各部门要充分利用报刊、电视、网络、微信公众号等媒体，加大政策宣传力度。",
    "（三）开通微信公众号",
    "3.建设省级科技资源共享平台微信公众号",
    "建立政策文件网上发布链接，方便企业查询。",
    "强化部门间信息链接和共享。",
    "依法查处侵犯版权所有者合法权益的行为。",
    "资金来源：省级财政预算安排。",
    "成文日期：2017年1月1日",
    "青政办〔2017〕2号《青海省人民政府办公厅关于加快大众创业万众创新支撑平台建设服务实体经济转型升级的实施意见》",
    "青海省人民政府办公厅",
    "2017年1月1日",
    "本意见自印发之日起施行。",
    "2.加强行业自律规范。强化行业自律，规范“四众”从业机构市场行为，保护行业合法权益。（相关行业主管部门负责）",
    "扫描电镜等大型科研仪器向社会开放共享。",
    "分享经济是创新创业的重要领域。",
    "（五）打印设备购置补贴。",
    "各级科技部门要加强上一年度工作总结。",
    "　　附件：发展众创空间推进大众创新创业重点任务分工 ",
    "",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_lines(line):
    assert is_furniture_line(line)


@pytest.mark.parametrize("line", NOT_FURNITURE)
def test_policy_lines_are_not_furniture(line):
    assert not is_furniture_line(line)


def test_seed_furniture_lines_are_found_and_nothing_else():
    found = {}
    for seed in SEEDS:
        for line in seed.read_text(encoding="utf-8").splitlines():
            if is_furniture_line(line):
                found.setdefault(seed.name, []).append(line.split(":")[0][:6])
    assert found == {"002_1d37a83bbf4946c8.txt": ["浏览量", "郑州外资企业", "扫描二维码 ", "本文链接", "本文关键词"]}


def test_txt_keeps_furniture_lines(tmp_path):
    text = "浏览量:时间:2017-07-30 08:14:25\n\n一、总体要求\n\n本文链接://www.example.com/1.html\n"
    doc = load_document(write(tmp_path, "f.txt", text.encode()))
    assert doc.text == text


def test_strip_furniture():
    text = "当前位置：首页 > 政策文件\n\n\n一、总体要求\n分享到：\n\n\n\n（一）加快构建众创空间。\n\n版权所有：某某网\n"
    assert strip_furniture(text) == "一、总体要求\n\n（一）加快构建众创空间。\n"
    assert strip_furniture("分享到：\n") == ""


def test_body_class_does_not_hide_a_short_page(tmp_path):
    html = '<html><body class="nav-open print-page"><p>一、总体要求（省科技厅负责）</p></body></html>'
    doc = load_document(write(tmp_path, "short.html", html.encode()))
    assert doc.text == "一、总体要求（省科技厅负责）\n"


def test_deeply_nested_share_bars_are_dropped_and_the_document_kept(tmp_path):
    depth = 20000
    page = ("<html><body><article><h1>关于推进科技创新的实施方案</h1><p>一、总体要求</p></article>"
            + '<div class="share">分享到：' * depth + "</div>" * depth + "</body></html>")
    path = write(tmp_path, "deep.html", page.encode("utf-8"))
    doc = load_document(path)
    assert doc.text == "关于推进科技创新的实施方案\n一、总体要求\n"


def test_stray_end_tags_under_deep_nesting_are_ignored(tmp_path):
    depth = 20000
    page = ("<html><body>" + "<div>" * depth + "<p>一、总体要求</p>" + "</span>" * depth
            + "</div>" * depth + "<p>二、主要任务</p></body></html>")
    doc = load_document(write(tmp_path, "stray.html", page.encode("utf-8")))
    assert doc.text == "一、总体要求\n二、主要任务\n"
