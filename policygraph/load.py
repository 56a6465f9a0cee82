"""Reading input files into SourceDocuments: file discovery, encoding detection, HTML to text, page furniture."""
from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from collections import Counter
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError, ResourceError
from .knowledge import resource_lines
from .model import SourceDocument
from .normalize import fold

__all__ = [
    "DEFAULT_MAX_BYTES",
    "display_name",
    "TEXT_SUFFIXES",
    "iter_input_files",
    "input_files",
    "document_path",
    "load_document",
    "is_furniture_line",
    "strip_furniture",
]

#: Files larger than this are refused before they are read.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: Suffixes picked up when a folder is expanded (compared case-insensitively).
TEXT_SUFFIXES = (".txt", ".text", ".htm", ".html")

_HTML_SUFFIXES = (".htm", ".html")

# ---------------------------------------------------------------- discovery


def iter_input_files(paths) -> list[tuple[Path, InputError | None]]:
    """Expand files and folders into the list of files to load, with an error per bad path.

    Folders are walked recursively in sorted order, keeping only
    :data:`TEXT_SUFFIXES` and skipping hidden files and folders, so the same
    tree always gives the same list. A file named explicitly is kept whatever
    its suffix. Bad paths come back as ``(path, InputError)`` instead of
    raising, so that a caller can report them and go on with the rest.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        Files and folders as the user gave them.

    Returns
    -------
    list of (Path, InputError or None)
        One entry per file, in order, without duplicates.

    Examples
    --------
    >>> [(str(p), str(e)) for p, e in iter_input_files(["no/such/file.txt"])]
    [('no/such/file.txt', 'no/such/file.txt: no such file or directory')]
    """
    return [(path, error) for path, _, error in input_files(paths)]


def input_files(paths, root=None) -> list[tuple[Path, str | None, InputError | None]]:
    """:func:`iter_input_files` with each file's document path (see :func:`document_path`); None for a bad path.

    Two inputs with the same document path are one document twice over: the
    second is reported, naming the first, so neither silently replaces the other.

    >>> import tempfile, pathlib
    >>> top = pathlib.Path(tempfile.mkdtemp())
    >>> for province in ("gansu", "qinghai"):
    ...     _ = (top / province).mkdir(), (top / province / "plan.txt").write_text("一、", "utf-8")
    >>> [doc for _, doc, _ in input_files([top / "gansu", top / "qinghai"])]
    ['gansu/plan.txt', 'qinghai/plan.txt']
    >>> for side in ("a", "b"):
    ...     _ = (top / side / "docs").mkdir(parents=True), (top / side / "docs" / "plan.txt").write_text("一、", "utf-8")
    >>> [(doc, e and e.reason[:44]) for _, doc, e in input_files([top / "a/docs", top / "b/docs"])]
    [('docs/plan.txt', None), (None, 'another input is also document docs/plan.txt')]
    """
    out: list[tuple[Path, str | None, InputError | None]] = []
    seen: set[str] = set()
    documents: dict[str, Path] = {}

    def add(path: Path, given: Path, error: InputError | None = None) -> None:
        if error is None:
            error = _name_error(path)
        key = os.path.realpath(path) if error is None else f"\0{path}"
        if key in seen:
            return
        seen.add(key)
        document = None
        if error is None:
            try:
                document = document_path(path, given, root)
            except InputError as exc:
                error = exc
        if document is not None and document in documents:
            error = InputError(display_name(path), f"another input is also document {document} ({documents[document]}); "
                                                   "pass --root DIR to name documents by their path under DIR")
            document = None
        if document is not None:
            documents[document] = path
        out.append((path, document, error))

    for given in paths:
        path = Path(given)
        error = _entry_error(path)
        if error is None and path.is_dir():
            found = _walk_folder(path)
            if not found:
                add(path, path, InputError(str(path), f"folder holds no {_suffix_list()} files"))
            for file, problem in found:
                add(file, path, problem)
        else:
            add(path, path, error)
    return out


def document_path(file, given, root=None) -> str:
    """What identifies a document: the path of its file under ``root``, parts joined by "/".

    Without ``root``, a file is named from the parent of the input folder it
    was found in (``build gansu`` gives ``gansu/实施方案.txt``); a file given
    by itself is named from the parent of its own folder, so building a
    folder or one file of it names that file alike, and the name does not
    depend on the current directory or on how the path was spelt.

    >>> document_path("/data/gansu/sub/plan.txt", "/data/gansu")
    'gansu/sub/plan.txt'
    >>> document_path("/data/gansu/plan.txt", "/data/gansu/plan.txt")
    'gansu/plan.txt'
    >>> document_path("/data/gansu/plan.txt", "/data/gansu", root="/data")
    'gansu/plan.txt'
    """
    file, given = os.path.abspath(file), os.path.abspath(given)
    if root is not None:
        top = os.path.abspath(root)
    else:
        top = os.path.dirname(os.path.dirname(given) if file == given else given)
    relative = os.path.relpath(file, top)
    if relative == os.curdir or relative.split(os.sep)[0] == os.pardir:
        raise InputError(display_name(file), f"not under the --root folder {display_name(top)}")
    return "/".join(Path(relative).parts)


def display_name(path) -> str:
    """A path as text that can always be printed and encoded: bytes that are not UTF-8 shown as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _name_error(path: Path) -> InputError | None:
    """A file name that is not valid UTF-8 cannot name a document in the graph: refuse it, shown escaped."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return InputError(display_name(path), "file name is not valid UTF-8 (shown escaped); rename the file")
    return None


def _entry_error(path: Path) -> InputError | None:
    """Why ``path`` cannot be read as an input, from its directory entry alone (never opens it).

    Tells a missing path, a dangling symlink, a symlink loop and a special
    file (FIFO, socket, device) apart, so that each is reported for what it
    is; a FIFO is never opened, so discovery never blocks on one.
    """
    name = display_name(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return InputError(name, f"dangling symlink to {display_name(os.readlink(path))}")
        return InputError(name, "no such file or directory")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return InputError(name, "symlink loop")
        return InputError(name, (exc.strerror or str(exc)).lower())
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return None
    return InputError(name, f"not a regular file ({_file_kind(st.st_mode)})")


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return kind
    return "special file"


def _suffix_list() -> str:
    return ", ".join(TEXT_SUFFIXES[:-1]) + " or " + TEXT_SUFFIXES[-1]


def _walk_folder(root: Path) -> list[tuple[Path, InputError | None]]:
    """Text files under ``root`` sorted by their path parts, each with why it cannot be read (or None).

    Hidden entries are skipped; symlinks to folders are not followed. A
    candidate (by its suffix) that is a dangling symlink, a symlink loop or
    not a regular file is kept with its reason, so that it is reported
    rather than silently dropped.
    """
    found = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES):
                continue
            file = Path(folder, name)
            error = _entry_error(file)
            if error is None and file.is_dir():
                continue
            found.append((file, error))
    return sorted(found, key=lambda item: [os.fsencode(p) for p in item[0].relative_to(root).parts])


# ---------------------------------------------------------------- loading


def _checked_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    """The bytes of a regular, non-empty file of at most ``max_bytes`` that is not a binary format."""
    problem = _name_error(path) or _entry_error(path)
    if problem is not None:
        raise problem
    raw = _read_regular(path, name, max_bytes)
    if not raw:
        raise InputError(name, "empty file (0 bytes)")
    if len(raw) > max_bytes:
        raise InputError(name, f"file grew to {_size(len(raw))} while read, over {_size(max_bytes)}")
    kind = _binary_kind(raw)
    if kind:
        raise InputError(name, f"binary file ({kind}), not text; save it as .txt or .html first")
    return raw


def _plain_text(raw: bytes, path: Path, name: str) -> tuple[str, str, bool]:
    """The decoded text with ``\\n`` line endings (an HTML page's visible text), its encoding, and whether it was HTML."""
    html = path.suffix.lower() in _HTML_SUFFIXES or _sniff_html(_ascii_head(raw))
    try:
        text, encoding = _decode(raw, html=html)
    except _DecodeFailure as exc:
        raise InputError(name, str(exc)) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    html = html or _sniff_html(text[:1024])
    if not text.strip():
        raise InputError(name, "empty file (only whitespace)")
    if html:
        text = strip_furniture(_html_to_text(text))
        if not text.strip():
            raise InputError(name, "HTML page without visible text")
    return text, encoding, html


def load_document(path, *, max_bytes: int = DEFAULT_MAX_BYTES, source_path: str | None = None) -> SourceDocument:
    """Read one file and decode it into a :class:`~policygraph.model.SourceDocument`.

    The encoding is detected, never guessed silently: a byte-order mark, then
    strict UTF-8, UTF-16 without a mark, GB18030 when the result reads as
    Chinese, then charset_normalizer with a sanity check. Line endings become
    ``\\n``; nothing else in plain text changes, because later stages keep
    offsets into it. HTML pages are reduced to their visible text without page
    furniture (menus, share bars, footers).

    Parameters
    ----------
    path : str or os.PathLike
    max_bytes : int
        Larger files are refused from their size alone, before reading.
    source_path : str, optional
        What identifies the document (see :func:`input_files`); default: its file name.

    Raises
    ------
    InputError
        For a missing path, a folder, an empty, oversized or binary file, or
        bytes that no supported encoding reads as text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "plan.txt").write_bytes("到２０２０年\\r\\n".encode("gb18030"))
    >>> doc = load_document(folder / "plan.txt")
    >>> doc.text, doc.encoding, doc.source_file
    ('到２０２０年\\n', 'gb18030', 'plan.txt')
    """
    path = Path(path)
    name = display_name(path)
    raw = _checked_bytes(path, name, max_bytes)
    text, encoding, html = _plain_text(raw, path, name)
    return SourceDocument(
        source_file=path.name,
        path=name,
        text=text,
        encoding=encoding,
        content_hash=hashlib.sha256(raw).hexdigest(),
        media_type="text/html" if html else "text/plain",
        source_path=source_path or path.name,
    )


def _read_regular(path: Path, name: str, max_bytes: int) -> bytes:
    """The bytes of a regular file, opened without blocking so that a FIFO swapped in is refused, not waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(name, (exc.strerror or str(exc)).lower()) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(name, "is a directory, not a file")
        raise InputError(name, f"not a regular file ({_file_kind(st.st_mode)})")
    with os.fdopen(fd, "rb") as f:
        if st.st_size > max_bytes:
            raise InputError(
                name,
                f"file is {_size(st.st_size)}, larger than the limit of {_size(max_bytes)} "
                "(raise max_bytes to load it)",
            )
        try:
            return f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(name, (exc.strerror or str(exc)).lower()) from None


def _size(n: int) -> str:
    """Human size with the exact byte count, e.g. ``100.0 MiB (104857600 bytes)``."""
    return f"{n / (1024 * 1024):.1f} MiB ({n} bytes)"


# ---------------------------------------------------------------- binary sniffing

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive, e.g. .docx, .xlsx or .ofd"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Microsoft Office / WPS document (.doc, .xls, .wps)"),
    (b"{\\rtf", "RTF document"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"),
    (b"OggS", "audio file"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00\x18ftyp", "video file"),
    (b"\x00\x00\x00\x20ftyp", "video file"),
)


def _binary_kind(raw: bytes) -> str | None:
    """Name the kind of a file whose leading bytes are a known binary signature."""
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    return None


# ---------------------------------------------------------------- decoding


class _DecodeFailure(Exception):
    """Why the bytes are not text in any supported encoding (becomes InputError.reason)."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that name GBK in practice; GB18030 is its strict superset, as in browsers.
_GB_LABELS = {"gb2312", "gbk", "cp936", "ms936", "x-gbk", "gb_2312-80", "gb18030", "euc-cn", "euccn", "hz-gb-2312"}

_ALLOWED_CONTROLS = frozenset("\t\n\r\f")


def _decode(raw: bytes, *, html: bool) -> tuple[str, str]:
    """Decode ``raw`` strictly, returning ``(text, codec)``; raise _DecodeFailure otherwise."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise _DecodeFailure(
                    f"starts with a {codec} byte-order mark but is not valid {codec} "
                    f"(byte {exc.start + len(bom)})"
                ) from None
            return text, "utf-8-sig" if codec == "utf-8" else codec

    if b"\x00" in raw:
        found = _decode_utf16_unmarked(raw)
        if found is None:
            raise _DecodeFailure("binary file (contains NUL bytes and is not UTF-16 text), not text")
        return found

    declared = _declared_charset(raw) if html else None
    weak_declaration = declared is not None and not _can_write_chinese(declared)
    if declared and not weak_declaration:
        text = _strict(raw, declared)
        if text is not None and (declared != "gb18030" or _reads_as_chinese(text)):
            return text, declared

    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc

    text = _strict(raw, "gb18030")
    if text is not None and _reads_as_chinese(text):
        return text, "gb18030"

    if weak_declaration:
        text = _strict(raw, declared)
        if text is not None and _plausible(text):
            return text, declared

    found = _decode_by_detection(raw)
    if found is not None:
        return found
    raise _DecodeFailure(
        f"cannot decode text: tried utf-8 (invalid byte 0x{raw[utf8_error.start]:02x} at "
        f"offset {utf8_error.start}), utf-16, gb18030 and charset detection; "
        "save the file as UTF-8"
    )


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _codec_name(label: str) -> str | None:
    """Python's name for an encoding label, with GBK labels widened to gb18030."""
    label = label.strip().lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in {"gb2312", "gbk", "hz"}:
        return "gb18030"
    if name.startswith(("utf-16", "utf-32")):
        return None  # a declaration read in ASCII bytes cannot be UTF-16: ignore it, as browsers do
    return name


def _can_write_chinese(codec: str) -> bool:
    """False for single-byte codecs (latin-1, cp1252 …) that a Chinese page only declares by mistake."""
    try:
        return len("中".encode(codec)) > 0
    except (UnicodeEncodeError, LookupError):
        return False


def _bad_controls(counts: Counter) -> bool:
    return any(
        (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F) and ch not in _ALLOWED_CONTROLS for ch in counts
    )


def _plausible(text: str) -> bool:
    """True when ``text`` has no stray control characters and almost no unassigned or private code points."""
    import unicodedata

    counts = Counter(text)
    if _bad_controls(counts):
        return False
    odd = sum(n for ch, n in counts.items() if unicodedata.category(ch) in ("Cn", "Co", "Cs"))
    return odd <= 0.01 * max(1, len(text))


def _reads_as_chinese(text: str) -> bool:
    """True when GB18030-decoded text reads as Chinese rather than as mojibake.

    Text that really is Chinese uses almost only the common characters of
    GB2312; other bytes (UTF-8 with a bad byte, Big5, Latin-1) that happen to
    decode as GB18030 turn into rare characters, which this counts.
    """
    counts = Counter(text)
    if _bad_controls(counts):
        return False
    wide = common = 0
    for ch, n in counts.items():
        if ord(ch) < 0x80:
            continue
        wide += n
        try:
            ch.encode("gb2312")
            common += n
        except UnicodeEncodeError:
            pass
    return wide > 0 and common >= 0.9 * wide


def _cjk_or_ascii_share(text: str) -> float:
    def usual(ch: str) -> bool:
        cp = ord(ch)
        return cp < 0x7F or 0x3000 <= cp <= 0x303F or 0x4E00 <= cp <= 0x9FFF or 0xFF00 <= cp <= 0xFFEF

    return sum(1 for ch in text if usual(ch)) / max(1, len(text))


def _decode_utf16_unmarked(raw: bytes) -> tuple[str, str] | None:
    """Read UTF-16 without a byte-order mark, told apart from binary by its NUL-byte pattern.

    ASCII characters in UTF-16 have one zero byte, always on the same side of
    the pair, so zero bytes pile up at odd offsets (little-endian) or even
    offsets (big-endian). Both orders are decoded strictly and the one that
    gives plausible text wins.
    """
    if len(raw) % 2:
        return None
    zeros_even = raw[0::2].count(0)
    zeros_odd = raw[1::2].count(0)
    if not zeros_even and not zeros_odd:
        return None
    order = ("utf-16-le", "utf-16-be") if zeros_odd >= zeros_even else ("utf-16-be", "utf-16-le")
    best = None
    for codec in order:
        text = _strict(raw, codec)
        if text is None or not _plausible(text):
            continue
        share = _cjk_or_ascii_share(text)
        if share >= 0.9 and (best is None or share > best[0]):
            best = (share, text, codec)
    return None if best is None else (best[1], best[2])


def _decode_by_detection(raw: bytes) -> tuple[str, str] | None:
    """Last resort: charset_normalizer, for a Chinese-capable codec not tried already (Big5 …).

    Short texts fool any detector, so the guess is kept only when the codec
    can write Chinese and the text it gives is clean and reads as CJK or ASCII.
    """
    from charset_normalizer import from_bytes

    match = from_bytes(raw).best()
    if match is None or match.chaos > 0.1:
        return None
    codec = _codec_name(match.encoding)
    if codec is None or codec in {"utf-8", "gb18030"} or not _can_write_chinese(codec):
        return None
    text = _strict(raw, codec)
    if text is None or not _plausible(text) or _cjk_or_ascii_share(text) < 0.9:
        return None
    return text, codec


_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


def _declared_charset(raw: bytes) -> str | None:
    """The codec an HTML page declares in ``<meta charset>`` or ``http-equiv`` content-type."""
    m = _META_CHARSET_RE.search(raw[:8192])
    return _codec_name(m.group(1).decode("ascii")) if m else None


def _ascii_head(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    return raw[:1024].decode("latin-1")


_HTML_START_RE = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", re.IGNORECASE | re.DOTALL)


def _sniff_html(head: str) -> bool:
    return _HTML_START_RE.match(head.lstrip("\ufeff")) is not None


# ---------------------------------------------------------------- furniture


def _furniture() -> tuple[tuple[re.Pattern, ...], tuple[str, ...]]:
    """Line patterns and container class/id substrings from resources/furniture.txt (and an overlay's), read once.

    Each file opens its own sections, so an overlay's entries go where its own header puts them.
    """
    return _furniture_of(resource_lines("furniture.txt"))


@lru_cache(maxsize=8)
def _furniture_of(lines) -> tuple[tuple[re.Pattern, ...], tuple[str, ...]]:
    sections: dict[str, list[str]] = {"lines": [], "containers": []}
    current = None
    source = None
    for row in lines:
        line = row.fields
        if row.source != source:
            source, current = row.source, None
        if line.startswith("[") and line.endswith("]") and line[1:-1] in sections:
            current = line[1:-1]
            continue
        if current is None:
            raise ResourceError(row.source, f"is an entry before a section header: {line!r}", line=row.line)
        sections[current].append(line)
    patterns = tuple(re.compile(p) for p in sections["lines"])
    return patterns, tuple(re.sub(r"[-_]", "", s.lower()) for s in sections["containers"])


def is_furniture_line(line: str) -> bool:
    """Tell whether one line of text is page furniture rather than part of the document.

    Saved web pages carry view counters, share prompts, links, keyword lists
    and footers around the document; these lines are short and start with
    (or consist of) a marker. The patterns live in ``resources/furniture.txt``.

    Examples
    --------
    >>> is_furniture_line("浏览量:时间:2017-07-30 08:14:25")
    True
    >>> is_furniture_line("郑州外资企业服务中心微信公众号")
    True
    >>> is_furniture_line("加强宣传，通过微信公众号等新媒体开展政策解读。")
    False
    """
    line = fold(line).strip()
    if not line:
        return False
    patterns, _ = _furniture()
    return any(p.search(line) for p in patterns)


def strip_furniture(text: str) -> str:
    """Drop page-furniture lines and close up the blank lines they leave (HTML input only).

    Examples
    --------
    >>> strip_furniture("分享到：\\n\\n一、总体要求\\n\\n版权所有：某某网 京ICP备12345678号\\n")
    '一、总体要求\\n'
    """
    kept = [line for line in text.split("\n") if not is_furniture_line(line)]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")
    return out + "\n" if out else ""


# ---------------------------------------------------------------- HTML to text

_VOID = frozenset(
    "area base basefont br col embed frame hr img input keygen link meta param source track wbr".split()
)
_ALWAYS_DROPPED = frozenset(
    "script style noscript template iframe frame frameset noframes svg math head nav aside "
    "button select option textarea object embed canvas audio video dialog".split()
)
_BLOCK = frozenset(
    "address article blockquote body caption center dd details dir div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu ol p pre "
    "section summary table tbody tfoot thead tr ul".split()
)
_PHRASING = frozenset(
    "a abbr b bdi bdo big cite code del dfn em font i ins kbd label mark q s samp small span strike "
    "strong sub sup time tt u var".split()
)
_HEAD_CONTENT = frozenset("base link meta noscript script style template title".split())
_HEADINGS = frozenset("h1 h2 h3".split())
_NEVER_FURNITURE = frozenset("html body main article".split())

_SOFT_BREAK = "\x00"  # a block boundary: several in a row make one line break
_END_OF_BLOCK = object()
_SEGMENT_BREAK = "\x01"  # a newline in the HTML source: dropped between CJK characters
_SPACE_LIKE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_HTML_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


class _Element:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag = tag
        self.attrs = attrs
        self.children: list = []


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: implied end tags for p, li, td, tr …, stray end tags ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self.stack = [self.root]
        self.open_tags: Counter = Counter()  # how many of each tag are on the stack: a stray end tag costs O(1)
        self.title = ""

    def handle_starttag(self, tag, attrs):
        self._close_implied(tag)
        el = _Element(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in _VOID:
            self.stack.append(el)
            self.open_tags[tag] += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "br":
            self.stack[-1].children.append(_Element("br", {}))
            return
        if not self.open_tags[tag]:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                if tag == "title" and not self.title:
                    self.title = "".join(c for c in self.stack[i].children if isinstance(c, str))
                self._pop_to(i)
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def _close(self, names, boundaries) -> None:
        """Close the nearest open element named in ``names`` unless a boundary comes first.

        The search stops after a few hundred levels: tags nested that deep are
        malformed pages, and a full scan per start tag would be quadratic.
        """
        for i in range(len(self.stack) - 1, max(0, len(self.stack) - 256), -1):
            tag = self.stack[i].tag
            if tag in names:
                self._pop_to(i)
                return
            if tag in boundaries:
                return

    def _pop_to(self, i: int) -> None:
        for el in self.stack[i:]:
            self.open_tags[el.tag] -= 1
        del self.stack[i:]

    def _close_implied(self, tag: str) -> None:
        if tag not in _HEAD_CONTENT and any(el.tag == "head" for el in self.stack[1:3]):
            self._close({"head"}, set())
        if tag in _BLOCK:
            self._close({"p"}, _not_phrasing)
        if tag == "li":
            self._close({"li"}, {"ul", "ol", "menu", "table", "div"})
        elif tag in ("dt", "dd"):
            self._close({"dt", "dd"}, {"dl", "table", "div"})
        elif tag in ("td", "th"):
            self._close({"td", "th"}, {"tr", "table"})
        elif tag == "tr":
            self._close({"tr"}, {"table"})
        elif tag in ("tbody", "thead", "tfoot"):
            self._close({"tbody", "thead", "tfoot"}, {"table"})


class _NotPhrasing:
    """Boundary set for closing <p>: every tag except inline (phrasing) ones."""

    def __contains__(self, tag: str) -> bool:
        return tag not in _PHRASING and tag != "p"


_not_phrasing = _NotPhrasing()


def _content_stats(root: _Element) -> dict[int, tuple[int, int, bool]]:
    """Per element: visible characters, characters inside links, and whether it holds a 10+ character heading.

    Computed once for the whole tree, children before parents, so that
    judging every nested container costs linear time rather than a walk of
    each container's subtree (27,000 nested share bars used to take minutes).
    """
    stats: dict[int, tuple[int, int, bool]] = {}
    stack: list = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            if node.tag not in _ALWAYS_DROPPED or node is root:
                stack.extend((c, False) for c in node.children if isinstance(c, _Element))
            continue
        total = linked = 0
        heading = False
        if node.tag not in _ALWAYS_DROPPED or node is root:
            for child in node.children:
                if isinstance(child, str):
                    total += len("".join(child.split()))
                    continue
                t, l, h = stats.get(id(child), (0, 0, False))
                if child.tag in _ALWAYS_DROPPED:
                    continue
                total += t
                linked += l
                heading = heading or h or (child.tag in _HEADINGS and t - l >= 10)
        if node.tag == "a":
            linked = total
        stats[id(node)] = (total, linked, heading)
    return stats


def _reads_like_content(node: _Element, stats: dict[int, tuple[int, int, bool]]) -> bool:
    """A heading of 10+ characters of its own, or 200+ characters of mostly non-link text."""
    total, linked, heading = stats[id(node)]
    return heading or (total - linked >= 200 and linked <= 0.5 * total)


def _is_hidden(node: _Element) -> bool:
    return "hidden" in node.attrs or bool(_HIDDEN_STYLE.search(node.attrs.get("style", "")))


def _is_furniture_container(node: _Element, in_article: bool, stats) -> bool:
    tag = node.tag
    if tag in ("header", "footer") and not in_article:
        return True
    if tag in _NEVER_FURNITURE:
        return False
    names = re.sub(r"[-_]", "", node.attrs.get("class", "") + " " + node.attrs.get("id", "")).lower()
    _, containers = _furniture()
    marked = tag == "form" or (names.strip() and any(s in names for s in containers))
    return bool(marked) and not _reads_like_content(node, stats)


def _html_to_text(html: str) -> str:
    """The visible text of an HTML page, one block per line, furniture subtrees dropped."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    stats = _content_stats(builder.root)
    pieces: list[str] = []
    stack: list = [(child, False, False) for child in reversed(builder.root.children)]
    while stack:
        item, in_article, in_pre = stack.pop()
        if isinstance(item, str):
            if in_pre:
                pieces.append(item.replace("\n", "\x02"))
            else:
                pieces.append(_collapse_space(item))
            continue
        if item is _END_OF_BLOCK:
            pieces.append(_SOFT_BREAK)
            continue
        tag = item.tag
        if tag in _ALWAYS_DROPPED or _is_hidden(item) or _is_furniture_container(item, in_article, stats):
            continue
        if tag == "br":
            pieces.append("\n")
            continue
        if tag in ("td", "th"):
            pieces.append("\t")
        block = tag in _BLOCK
        if block:
            pieces.append(_SOFT_BREAK)
            stack.append((_END_OF_BLOCK, in_article, in_pre))
        inner_article = in_article or tag in ("article", "main")
        inner_pre = in_pre or tag in ("pre", "textarea")
        stack.extend((child, inner_article, inner_pre) for child in reversed(item.children))
    text = _layout("".join(pieces))
    if not text.strip() and builder.title.strip():
        text = _collapse_space(builder.title).replace(_SEGMENT_BREAK, " ").strip() + "\n"
    return text


def _collapse_space(text: str) -> str:
    text = _INVISIBLE.sub("", _SPACE_LIKE.sub(" ", text))
    return _HTML_SPACE_RUN.sub(lambda m: _SEGMENT_BREAK if "\n" in m.group() else " ", text)


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80 and not (0xAC00 <= ord(ch) <= 0xD7AF)


def _layout(text: str) -> str:
    """Turn break markers into lines, tidy spaces per line and keep at most one blank line."""
    text = re.sub("\n?[ \t\x01]*\x00(?:[ \t\x01]*\x00)*[ \t\x01]*", "\n", text)
    text = re.sub(
        "(.?)\x01+(.?)",
        lambda m: m[1] + ("" if m[1] and m[2] and _is_wide(m[1]) and _is_wide(m[2]) else " ") + m[2],
        text,
    )
    lines = []
    for line in text.replace("\x02", "\n").split("\n"):
        line = re.sub(r" {2,}", " ", line)
        line = re.sub(r" *\t[ \t]*", "\t", line).strip(" \t")
        lines.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else ""
