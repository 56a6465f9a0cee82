"""Synthetic corpus of provincial implementation plans, with a gold annotation per document.

Usage::

    python benchmarks/generate.py N OUT_DIR [--seed S] [--gold-dir DIR]

Writes N documents (实施方案 / 实施意见 / 行动方案 of the 31 provinces and some
prefecture-level cities) as UTF-8 text, and one gold JSON per document in the
format of ``shared/gold/SCHEMA.md`` (default ``OUT_DIR/gold``). Documents are
built from the templates and vocabularies in ``benchmarks/vocab``; every
document is drawn from its own random stream (seed and index), so the output is
byte-identical for a given seed and any document can be regenerated alone.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["Vocab", "GeneratedDocument", "load_vocab", "generate_document", "generate_corpus", "gold_json", "cn_number",
           "main"]

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"

_CN_DIGITS = "零一二三四五六七八九"
_FW_DIGITS = str.maketrans("0123456789%", "０１２３４５６７８９％")
_HW_PUNCT = str.maketrans("（），：；", "(),:;")
_SLOT = re.compile(r"\{([A-Za-z0-9_]+)\}")
_MAKE = {"plan": "制定本实施方案", "opinion": "提出如下实施意见", "action": "制定本行动方案"}


@dataclass(frozen=True)
class Vocab:
    """The generator's word lists, read once from ``benchmarks/vocab``."""

    provinces: tuple
    agencies: tuple
    generic: tuple
    distinct_pairs: tuple
    national: dict
    unnumbered: tuple
    topics: tuple
    phrases: dict
    jurisdictions: tuple  # (province, city or None), provinces first


@dataclass(frozen=True)
class GeneratedDocument:
    """One generated document: its file name, text and gold annotation."""

    name: str
    text: str
    gold: dict
    number: str | None = None  # the 文号 in half-width digits, to keep numbers unique in a corpus


def load_vocab(folder: Path = VOCAB_DIR) -> Vocab:
    """Read the vocabulary files; the generator holds no word lists of its own."""
    read = lambda name: json.loads((Path(folder) / name).read_text("utf-8"))  # noqa: E731
    prov, agen, pol, phr = (read(n) for n in ("provinces.json", "agencies.json", "policies.json", "phrases.json"))
    provinces = tuple(prov["provinces"])
    cities = tuple((p, c) for p in provinces for c in p["cities"])
    return Vocab(
        provinces=provinces, agencies=tuple(agen["agencies"]), generic=tuple(agen["generic"]),
        distinct_pairs=tuple(tuple(p) for p in agen["distinct_pairs"]), national=pol["national"],
        unnumbered=tuple(pol["unnumbered"]), topics=tuple(pol["topics"]), phrases=phr,
        jurisdictions=tuple((p, None) for p in provinces) + cities,
    )


# ---------------------------------------------------------------- small helpers


def cn_number(n: int) -> str:
    """Chinese numeral of an outline number (1..99): 十一, 二十."""
    tens, ones = divmod(n, 10)
    if not tens:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _value(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _join(items: list[str], last: str = "、") -> str:
    if len(items) < 2:
        return "".join(items)
    return "、".join(items[:-1]) + last + items[-1]


@lru_cache(maxsize=4096)
def _parts(template: str) -> tuple[tuple[bool, str], ...]:
    """A template split into (is_slot, text) pieces, parsed once."""
    return tuple((i % 2 == 1, piece) for i, piece in enumerate(_SLOT.split(template)) if piece)


def _fill(template: str, slots: dict) -> str:
    out = []
    for is_slot, piece in _parts(template):
        if is_slot:
            value = slots.get(piece)
            if value is None:
                out.append("{" + piece + "}")
            else:
                out.append(value() if callable(value) else value)
        else:
            out.append(piece)
    return "".join(out)


@lru_cache(maxsize=64)
def _zipf_weights(n: int) -> tuple[float, ...]:
    return tuple(1.0 / (r ** 1.1) for r in range(1, n + 1))


# ---------------------------------------------------------------- the document


@dataclass
class _Jur:
    """The issuing jurisdiction and the words that depend on its level."""

    name: str
    short: str
    slug: str
    level: str  # prov | ar | muni | city
    prefix: str
    province: dict
    city: dict | None

    @property
    def self_word(self) -> str:
        return {"prov": "我省", "ar": "我区", "muni": "我市", "city": "我市"}[self.level]

    @property
    def region(self) -> str:
        return {"prov": "全省", "ar": "全区", "muni": "全市", "city": "全市"}[self.level]

    @property
    def level_word(self) -> str:
        return {"prov": "省级", "ar": "自治区级", "muni": "市级", "city": "市级"}[self.level]

    @property
    def gov_short(self) -> str:
        return {"prov": "省政府", "ar": "自治区政府", "muni": "市政府", "city": "市政府"}[self.level]

    @property
    def places(self) -> list[str]:
        return (self.city or self.province)["places"]


@dataclass
class _Doc:
    """Mutable state while one document is written: its lines and what the gold must say."""

    rng: random.Random
    vocab: Vocab
    jur: _Jur
    topic: dict
    year: int
    kind: str
    indent: str
    blank: bool
    lines: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    parks: list = field(default_factory=list)
    funds: list = field(default_factory=list)
    programs: list = field(default_factory=list)
    used_named: dict = field(default_factory=dict)
    forms_used: dict = field(default_factory=dict)  # agency key -> written forms in order
    alias_keys: set = field(default_factory=set)
    elide: bool = False
    clause_styles: tuple = ()
    clause_after_stop: bool = True
    has_clauses: bool = True
    collective: str = ""
    committees: list = field(default_factory=list)
    agency_table: dict = field(default_factory=dict)
    agency_keys: list = field(default_factory=list)
    agency_cum: list = field(default_factory=list)
    elidable: frozenset = frozenset()
    line_labels: tuple = ("牵头单位：", "配合单位：", "责任单位：")

    def para(self, text: str) -> None:
        self.lines.append(self.indent + text)
        if self.blank:
            self.lines.append("")

    def slots(self) -> dict:
        r, p = self.rng, self.vocab.phrases
        objs = self.topic["objects"]
        return {
            "self": self.jur.self_word, "region": self.jur.region, "level": self.jur.level_word,
            "gov": self.jur.gov_short, "focus": self.topic["focus"],
            "obj": lambda: r.choice(objs), "obj2": lambda: r.choice(objs),
            "actor": lambda: r.choice(p["actors"]), "actor2": lambda: r.choice(p["actors"]),
            "field": lambda: "、".join(r.sample(p["fields"], r.randint(3, 5))),
            "place": lambda: r.choice(self.jur.places),
            "short_dept": lambda: r.choice(p["short_depts"]),
            "park": self.park,
        }

    def park(self) -> str:
        if not self.parks:
            return self.rng.choice(self.vocab.phrases["park_generic"])
        name = self.rng.choice(self.parks)
        self.used_named.setdefault("parks", []).append(name)
        return name


def _jurisdiction(vocab: Vocab, rng: random.Random) -> _Jur:
    if rng.random() < 0.85:
        province, city = rng.choice(vocab.provinces), None
    else:
        province, city = rng.choice(vocab.jurisdictions[len(vocab.provinces):])
    if city is not None:
        return _Jur(city["name"], city["short"], city["slug"], "city", "市", province, city)
    level = {"province": "prov", "autonomous-region": "ar", "municipality": "muni"}[province["kind"]]
    return _Jur(province["name"], province["short"], province["slug"], level, province["prefix"], province, None)


def _agency_forms(agency: dict, jur: _Jur) -> list[tuple[str, bool]]:
    """The written forms of one agency in this jurisdiction, with whether each starts with the prefix."""
    key = {"prov": "prov", "ar": "prov", "muni": "muni", "city": "city"}[jur.level]
    templates = agency.get("ar") if jur.level == "ar" and agency.get("ar") else agency.get(key) or []
    province = jur.province
    capital_city = jur.city is not None and jur.city["short"] == province["capital"]
    if agency["key"] == "pboc" and capital_city:
        templates = ["@pboc"]
    out = []
    for t in templates:
        if t.startswith("@"):
            for form in province[t[1:]]:
                prefixed = t != "@pboc"
                out.append(((jur.prefix + form) if prefixed else form, prefixed))
            continue
        capital = jur.short if jur.city else province["capital"]
        form = t.replace("{P}", jur.prefix).replace("{S}", jur.short).replace("{C}", capital)
        out.append((form, t.startswith("{P}")))
    return out


# ---------------------------------------------------------------- named entities


def _make_named(doc: _Doc) -> None:
    r, p, jur = doc.rng, doc.vocab.phrases, doc.jur
    places = list(jur.places)
    for _ in range(r.randint(1, 4)):
        name = r.choice(places) + r.choice(p["park_suffixes"])
        if name not in doc.parks:
            doc.parks.append(name)
            if name.endswith(tuple(p["committee_parks"])):
                doc.committees.append(name)
    for _ in range(r.randint(0, 3)):
        name = _fill(r.choice(p["fund_templates"]), {"J": jur.name, "S": jur.short})
        if name not in doc.funds:
            doc.funds.append(name)
    nick = jur.province["nickname"] if jur.city is None else jur.short
    for _ in range(r.randint(0, 3)):
        pool = p["program_templates"] if r.random() < 0.75 else p["program_national"]
        name = _fill(r.choice(pool), {"J": jur.name, "S": jur.short, "nick": nick})
        if name not in doc.programs:
            doc.programs.append(name)


_NAMED_SENTENCES = {
    "parks": ["依托{x}等载体，集聚一批创新型企业和研发机构。", "支持{x}建设专业化众创空间，打造创新创业集聚区。",
              "推动{x}与高校、科研院所共建创新平台，提升产业创新能力。"],
    "funds": ["发挥{x}的引导作用，带动社会资本支持初创期企业。", "统筹安排{x}，重点支持公共服务平台建设和创新创业项目。"],
    "programs": ["深入实施{x}，支持一批创新创业项目加快发展。", "组织开展{x}，培育一批创业带头人。"],
}


def _named_sentence(doc: _Doc) -> str | None:
    r = doc.rng
    kinds = [k for k in ("parks", "funds", "programs") if getattr(doc, k)]
    if not kinds:
        return None
    kind = r.choice(kinds)
    name = r.choice(getattr(doc, kind))
    doc.used_named.setdefault(kind, []).append(name)
    return r.choice(_NAMED_SENTENCES[kind]).replace("{x}", name)


# ---------------------------------------------------------------- targets


def _target(doc: _Doc, spec: dict, year: int | None, annual: bool = False) -> str:
    """Render one quantified goal from its template and record its gold entry."""
    r = doc.rng
    slots = doc.slots()
    value_max = None
    if "mult" in spec:
        w = r.randint(spec["wlo"], spec["whi"])
        if w < 10 and r.random() < 0.25:
            w += 0.5
        shown, value = _fmt_number(w), w * spec["mult"]
        text = spec["t"].replace("{w}", shown)
    elif "plo" in spec:
        pv = r.randint(spec["plo"], spec["phi"]) / 10
        value = pv
        text = spec["t"].replace("{p}", _fmt_number(pv))
    else:
        n = r.randint(spec["lo"], spec["hi"])
        if n >= 100:
            n = round(n, -1) if n < 1000 else round(n, -2)
        value = n
        text = spec["t"].replace("{n}", str(n))
        if spec.get("range"):
            value_max = n + r.randint(1, 2)
            text = text.replace("{n2}", str(value_max))
    text = _fill(text, slots)
    entry = {"text": text, "value": _value(value), "value_max": value_max, "unit": spec["unit"],
             "year": year, "comparator": spec["cmp"]}
    if annual:
        entry["annual"] = True
    doc.targets.append(entry)
    return text


# ---------------------------------------------------------------- responsibility clauses


def _agency_table(vocab: Vocab, jur: _Jur) -> tuple[dict, list, list]:
    """Forms of every agency this jurisdiction has, and cumulative Zipf weights in vocabulary order."""
    table = {a["key"]: _agency_forms(a, jur) for a in vocab.agencies}
    keys = [a["key"] for a in vocab.agencies if table[a["key"]]]
    cum, total = [], 0.0
    for w in _zipf_weights(len(keys)):
        total += w
        cum.append(total)
    return table, keys, cum


def _pick_agencies(doc: _Doc, k: int) -> list[str]:
    chosen: list[str] = []
    for _ in range(k * 4):
        a = doc.rng.choices(doc.agency_keys, cum_weights=doc.agency_cum)[0]
        if a not in chosen:
            chosen.append(a)
        if len(chosen) == k:
            break
    return chosen


def _form(doc: _Doc, key: str, elided: bool) -> str:
    forms = doc.agency_table[key]
    primary = doc.forms_used.get(("primary", key))
    if primary is None:
        primary = 0 if doc.rng.random() < 0.85 or len(forms) == 1 else doc.rng.randrange(1, len(forms))
        doc.forms_used[("primary", key)] = primary
    idx = primary
    if key in doc.alias_keys and len(forms) > 1 and doc.rng.random() < 0.4:
        idx = doc.rng.choice([i for i in range(len(forms)) if i != primary])
    form, prefixed = forms[idx]
    if elided and prefixed and key in doc.elidable:
        form = form[len(doc.jur.prefix):]
    doc.forms_used.setdefault(key, [])
    if form not in doc.forms_used[key]:
        doc.forms_used[key].append(form)
    return form


def _clause_bodies(doc: _Doc) -> tuple[list[tuple[str, str, bool]], list[str], list[str]]:
    """Draw the bodies of one clause: (mention, kind, generic) where kind is agency / collective / park."""
    r = doc.rng
    k = r.choices(range(1, 10), (8, 14, 16, 15, 12, 9, 6, 4, 3))[0]
    keys = _pick_agencies(doc, k)
    extra_front, extra_back = [], []
    if r.random() < 0.25:
        (extra_front if r.random() < 0.3 else extra_back).append(doc.collective)
    if doc.committees and r.random() < 0.12:
        park = r.choice(doc.committees)
        doc.used_named.setdefault("parks", []).append(park)
        extra_back.append(park + "管委会")
    return keys, extra_front, extra_back


def _written(doc: _Doc, keys: list[str], first: bool) -> list[str]:
    out = []
    for i, key in enumerate(keys):
        out.append(_form(doc, key, elided=doc.elide and not (first and i == 0)))
    return out


def _clause(doc: _Doc, style: str) -> tuple[str, list[dict], bool]:
    """One responsibility clause: its text, its gold assignments, and whether it goes on its own line."""
    r = doc.rng
    keys, front, back = _clause_bodies(doc)
    generic = r.choice(doc.vocab.generic) if r.random() < 0.06 else None
    resp = lambda ms: [{"mention": m, "role": "responsible"} for m in ms]  # noqa: E731
    if style in ("lead_support", "own_line") and len(keys) + len(front) + len(back) >= 2:
        back = back + front
        n_lead = 1 if r.random() < 0.8 or len(keys) < 3 else 2
        leads = _written(doc, keys[:n_lead], True)
        supports = _written(doc, keys[n_lead:], False) + back
        gold = [{"mention": m, "role": "lead"} for m in leads]
        gold += [{"mention": m, "role": "support"} for m in supports]
        if generic:
            supports.append(generic)
            gold.append({"mention": generic, "role": "support", "generic": True})
        if style == "own_line":
            label, sup = doc.line_labels[:2]
            text = label + "、".join(leads) + ("；" + sup + "、".join(supports) if supports else "")
            return text, gold, True
        text = "、".join(leads) + "牵头，" + "、".join(supports) + r.choice(["配合", "配合", "协同"])
        return "（" + text + "）", gold, False
    if style == "lead_only":
        keys = keys[:3]
        leads = _written(doc, keys, True)
        return "（" + "、".join(leads) + "牵头负责）", [{"mention": m, "role": "lead"} for m in leads], False
    mentions = front + _written(doc, keys, True) + back
    gold = resp(mentions)
    if generic and style in ("plain", "label", "comma_groups"):
        mentions.append(generic)
        gold.append({"mention": generic, "role": "responsible", "generic": True})
    if style == "label":
        label = doc.line_labels[2]
        return "（" + label + "、".join(mentions) + "）", gold, False
    if style == "label_line":
        return doc.line_labels[2] + "、".join(mentions), gold, True
    if style == "deng":
        return "（" + "、".join(mentions) + r.choice(["等负责", "等负责", "等按职责分工负责"]) + "）", gold, False
    if style == "fenggong":
        return "（" + "、".join(mentions) + "等部门按职责分工负责）", gold, False
    if style == "comma_groups":
        groups = [g for g in (front, _agency_part(mentions, front, back, generic), back + ([generic] if generic else [])) if g]
        return "（" + "，".join("、".join(g) for g in groups) + "负责）", gold, False
    return "（" + "、".join(mentions) + "负责）", gold, False


def _agency_part(mentions: list[str], front: list[str], back: list[str], generic: str | None) -> list[str]:
    end = len(mentions) - len(back) - (1 if generic else 0)
    return mentions[len(front):end]


# ---------------------------------------------------------------- prose


def _prose(doc: _Doc, length: int, target_chance: float = 0.3) -> str:
    r, p = doc.rng, doc.vocab.phrases
    slots = doc.slots()
    parts: list[str] = []
    total = 0
    bank = p["sentences"]
    extras = []
    if r.random() < target_chance:
        spec = r.choice(p["task_annual"]) if r.random() < 0.15 else r.choice(p["task_targets"])
        annual = spec in p["task_annual"]
        if not annual and r.random() < 0.25:
            year = r.choice([doc.year + 1, doc.year + 2, 2020])
            extras.append("到" + str(year) + "年，" + _target(doc, spec, year) + "。")
        else:
            extras.append(r.choice(["", "力争", "争取"]) + _target(doc, spec, None, annual) + "。")
    if r.random() < 0.35:
        named = _named_sentence(doc)
        if named:
            extras.append(named)
    if r.random() < 0.08:
        d = r.choice(p["distractors"])
        extras.append(_fill(d.replace("{n}", str(r.choice([3, 5, 10, 20, 30, 50]))).replace("{m}", str(r.randint(2, 3))), slots))
    while total < length or not parts:
        s = _fill(r.choice(bank), slots)
        if s in parts:
            continue
        parts.append(s)
        total += len(s)
        if len(parts) > 8:
            break
    for e in extras:
        parts.insert(r.randint(0, len(parts)), e)
    return "".join(parts)


def _titles(doc: _Doc, count: int, pool_name: str) -> list[str]:
    r, p = doc.rng, doc.vocab.phrases
    pool = []
    for t in p[pool_name]:
        if "{obj}" in t:
            pool.extend(t.replace("{obj}", o) for o in doc.topic["objects"])
        else:
            pool.append(t.replace("{focus}", doc.topic["focus"]))
    pool = sorted(set(pool))
    r.shuffle(pool)
    pool += ["进一步" + t for t in pool if not t.startswith("进一步")]
    taken, seen = [], set(doc.used_named.get("titles", []))
    for t in pool:
        if t not in seen:
            taken.append(t)
            seen.add(t)
        if len(taken) == count:
            break
    doc.used_named["titles"] = list(seen)
    return taken


# ---------------------------------------------------------------- sections


def _task_item(doc: _Doc, number: str, title: str, path: str, first_style: str) -> None:
    r = doc.rng
    style = first_style if r.random() < 0.8 else r.choice(doc.clause_styles)
    with_clause = doc.has_clauses and r.random() > 0.04
    body = _prose(doc, r.randint(80, 240))
    assignments: list[dict] = []
    own_line = None
    clause = ""
    if with_clause:
        clause, assignments, is_line = _clause(doc, style)
        if is_line:
            own_line, clause = clause, ""
    if clause and not doc.clause_after_stop:
        body = body[:-1] + clause + "。"
    elif clause:
        body += clause
    if r.random() < 0.2 and len(body) > 120:
        doc.para(number + title + "。")
        doc.para(body)
    else:
        doc.para(number + title + "。" + body)
    if own_line:
        doc.para(own_line)
    if with_clause or not doc.has_clauses:
        doc.tasks.append({"path": path, "title": title, "assignments": assignments})


def _column(doc: _Doc, number: int) -> None:
    r, p = doc.rng, doc.vocab.phrases
    nick = doc.jur.province["nickname"] if doc.jur.city is None else doc.jur.short
    doc.para(f"专栏{number}{r.choice(['  ', '：', ' '])}{r.choice(p['column_titles'])}")
    names = dict.fromkeys(_fill(t, {"J": doc.jur.name, "S": doc.jur.short, "nick": nick})
                          for t in r.sample(p["program_templates"], r.randint(2, 4)))
    for name in names:
        if name not in doc.programs:
            doc.programs.append(name)
        doc.used_named.setdefault("programs", []).append(name)
        doc.para(name + "：" + _fill(r.choice(p["column_items"]), doc.slots()))


def _task_section(doc: _Doc, sec: str, title: str, n_tasks: int, nested: bool) -> None:
    r = doc.rng
    doc.para(sec + "、" + title)
    first_style = doc.clause_styles[0]
    column_after = r.randrange(n_tasks) if r.random() < 0.3 and not doc.used_named.get("column") else None
    sub_marker = r.choice(["1.", "1.", "1．"])
    if nested:
        groups = max(2, min(10, round(n_tasks / r.uniform(2.5, 4.5))))
        sizes = [1] * groups
        for _ in range(n_tasks - groups):
            sizes[r.randrange(groups)] += 1
        group_titles = _titles(doc, groups, "group_titles")
        titles = _titles(doc, n_tasks, "task_titles")
        k = 0
        for g, size in enumerate(sizes):
            gnum = cn_number(g + 1)
            heading = "（" + gnum + "）" + group_titles[g % len(group_titles)] + "。"
            if r.random() < 0.3:
                heading += _prose(doc, 40, target_chance=0.0)
            doc.para(heading)
            for s in range(size):
                marker = str(s + 1) + sub_marker[1:]
                _task_item(doc, marker, titles[k % len(titles)], f"{sec}/{gnum}/{s + 1}", first_style)
                if column_after == k:
                    doc.used_named["column"] = [1]
                    _column(doc, 1)
                k += 1
    else:
        titles = _titles(doc, n_tasks, "task_titles")
        for i in range(n_tasks):
            num = cn_number(i + 1)
            _task_item(doc, "（" + num + "）", titles[i % len(titles)], f"{sec}/{num}", first_style)
            if column_after == i:
                doc.used_named["column"] = [1]
                _column(doc, 1)


def _goals(doc: _Doc, heading: str | None, sec: str | None) -> None:
    r, p = doc.rng, doc.vocab.phrases
    slots = doc.slots()
    deadlines = [2020]
    if doc.year >= 2018:
        deadlines = [2022] if r.random() < 0.5 else [2020, 2022]
    elif r.random() < 0.3:
        deadlines = [min(doc.year + 2, 2018), 2020]
    elif r.random() < 0.15:
        deadlines = [2020, 2025]
    specs = list(p["goal_targets"])
    r.shuffle(specs)
    dash = r.random() < 0.3
    mark = r.choice(["——", "--", "—"])
    parts = []
    if sec is not None:
        doc.para(sec + "、" + heading)
        prefix = ""
    else:
        prefix = heading + "。" if heading else ""
    for j, year in enumerate(deadlines):
        n = r.randint(2, 4)
        goals = [_target(doc, specs.pop(), year) for _ in range(n)]
        if r.random() < 0.25:
            spec = r.choice(p["annual_targets"])
            goals.append(_target(doc, spec, year, annual=True))
        tail = _fill(r.choice(p["goal_tails"]), slots)
        opener = _fill(r.choice(p["goal_openers"]), {"span": r.choice(["三", "五"])})
        if dash:
            lead = f"到{year}年，{opener}{tail}"
            if j == 0 and prefix:
                lead = prefix + lead
            doc.para(lead)
            for g in goals:
                doc.para(mark + g + "。")
        else:
            parts.append(f"到{year}年，{opener}" + "，".join(goals[:-1]) + ("；" if len(goals) > 1 else "")
                         + goals[-1] + "，" + tail)
    if not dash:
        doc.para(prefix + "".join(parts))


def _overview(doc: _Doc, sections: list[str]) -> None:
    r, p = doc.rng, doc.vocab.phrases
    slots = doc.slots()
    guiding = _fill(r.choice(p["guiding"]), slots)
    principles = r.sample(p["principles"], r.randint(3, 4))
    if r.random() < 0.6:
        sec = sections.pop(0)
        doc.para(sec + "、" + r.choice(["总体要求", "总体思路"]))
        doc.para("（一）指导思想。" + guiding)
        n = 2
        if r.random() < 0.6:
            doc.para("（二）基本原则。")
            for pr in principles:
                doc.para(pr + r.choice(p["principle_bodies"]))
            n = 3
        _goals(doc, "（" + cn_number(n) + "）" + r.choice(["发展目标", "主要目标", "工作目标"]), None)
    else:
        sec = sections.pop(0)
        doc.para(sec + "、指导思想")
        doc.para(guiding)
        sec = sections.pop(0)
        _goals(doc, r.choice(["发展目标", "主要目标"]), sec)


def _guarantee(doc: _Doc, sec: str, with_clauses: bool) -> None:
    r, p = doc.rng, doc.vocab.phrases
    doc.para(sec + "、" + r.choice(p["guarantee_titles"]))
    items = r.sample(p["guarantee_items"], r.randint(3, 4 if with_clauses else 5))
    for i, title in enumerate(items):
        num = cn_number(i + 1)
        body = "".join(_fill(s, doc.slots()) for s in r.sample(p["guarantee_sentences"], 2))
        if with_clauses and r.random() < 0.7:
            clause, assignments, is_line = _clause(doc, doc.clause_styles[0])
            doc.para("（" + num + "）" + title + "。" + body + ("" if is_line else clause))
            if is_line:
                doc.para(clause)
            doc.tasks.append({"path": f"{sec}/{num}", "title": title, "assignments": assignments})
        else:
            doc.para("（" + num + "）" + title + "。" + body)


# ---------------------------------------------------------------- head and foot


def _cite(vocab: Vocab, key: str) -> tuple[str, str]:
    pol = vocab.national[key]
    title = pol["title"].replace("《", "〈").replace("》", "〉")
    return "《" + title + "》（" + pol["number"] + "）", pol["number"]


def _opening(doc: _Doc) -> list[str]:
    r, p, v = doc.rng, doc.vocab.phrases, doc.vocab
    keys = list(doc.topic["cites"])
    extra = [k for k in doc.topic["extra"] if v.national[k]["year"] <= doc.year]
    r.shuffle(extra)
    keys += extra[: r.randint(0, 3)]
    keys = keys[:4]
    r.shuffle(keys)
    cites = [_cite(v, k) for k in keys]
    texts = [c[0] for c in cites]
    numbers = [c[1] for c in cites]
    if doc.jur.city is not None and r.random() < 0.5:
        prov = doc.jur.province
        y0 = max(doc.topic["year"], doc.year - 1)
        number = f"{prov['abbr']}政发〔{y0}〕{r.randint(10, 90)}号"
        texts.append("《" + prov["name"] + "人民政府关于" + doc.topic["core"] + "的实施意见》（" + number + "）")
        numbers.append(number)
    if r.random() < 0.15:
        texts.insert(0, "《" + r.choice(v.unnumbered) + "》")
    cite_text = _join(texts, r.choice(["、", "和"]))
    slots = doc.slots() | {"cites": cite_text, "verb": r.choice(p["verbs"]),
                           "purpose": _fill(r.choice(p["purposes"]), doc.slots()),
                           "make": ("经" + doc.jur.gov_short + "同意，" if r.random() < 0.3 else "") + _MAKE[doc.kind],
                           "background": r.choice(p["backgrounds"])}
    text = _fill(r.choice(p["openings"]), slots)
    if doc.kind == "opinion":
        text = text[:-1] + "：" if r.random() < 0.5 else text
    doc.para(text)
    return numbers


def _date(rng: random.Random, year: int) -> tuple[str, str]:
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    return f"{year}年{m}月{d}日", f"{year:04d}-{m:02d}-{d:02d}"


def _number(doc: _Doc, office: bool, taken: frozenset | set) -> str:
    """A 文号 of the issuer's series; never one in ``taken``, since no two documents share one."""
    r, jur = doc.rng, doc.jur
    if jur.city is not None:
        prefix = jur.city["num"][1 if office else 0]
    else:
        abbr = jur.province["abbr"]
        prefix = abbr + ("政办发" if r.random() < 0.8 else "政办") if office else abbr + "政发"
    top = 150
    while True:
        number = f"{prefix}〔{doc.year}〕{r.randint(1, top)}号"
        if number not in taken:
            return number
        top += 10


def _plan_title(doc: _Doc, issuer: str) -> str:
    core, r = doc.topic["core"], doc.rng
    if doc.kind == "opinion":
        return issuer + "关于" + core + "的实施意见"
    name = doc.jur.name
    if doc.kind == "action":
        return name + core + "行动方案" if r.random() < 0.7 else name + "关于" + core + "的行动方案"
    return name + core + "实施方案" if r.random() < 0.7 else name + "关于" + core + "的实施方案"


def _split_title(doc: _Doc, title: str) -> None:
    r = doc.rng
    if len(title) > 22 and r.random() < 0.25:
        cut = r.randint(10, len(title) - 8)
        doc.lines.append(r.choice(["", " "]) + title[:cut])
        doc.lines.append(title[cut:])
    else:
        doc.lines.append(r.choice(["", "", doc.indent]) + title)
    if doc.blank or doc.rng.random() < 0.5:
        doc.lines.append("")


# ---------------------------------------------------------------- one document


def _style_flags(r: random.Random) -> dict:
    half = r.random() < 0.12
    fw_digits = r.random() < 0.1
    return {"half": half, "fw": fw_digits}


def _choose_styles(r: random.Random, half: bool) -> tuple:
    if half:
        main = r.choice(["comma_groups", "plain", "plain"])
    else:
        main = r.choices(["label", "deng", "plain", "lead_support", "lead_only", "own_line", "fenggong",
                          "comma_groups", "label_line"], (22, 12, 14, 22, 5, 8, 6, 6, 5))[0]
    second = r.choice(["plain", "lead_support", "deng", "label", "lead_only", "fenggong"])
    return (main, second)


def generate_document(vocab: Vocab, seed: int, index: int, width: int = 5,
                      taken: frozenset | set = frozenset()) -> GeneratedDocument:
    """Write document number ``index`` of the corpus of ``seed``, and its gold annotation.

    ``taken`` holds the 文号 already given to earlier documents of the corpus;
    the document draws another one rather than repeat them.
    """
    r = random.Random(f"policygraph-synthetic:{seed}:{index}")
    jur = _jurisdiction(vocab, r)
    topic = r.choice(vocab.topics)
    year = min(topic["year"] + r.choice([0, 0, 1, 1, 2, 3]), 2019)
    kind = r.choices(["plan", "opinion", "action"], (50, 35, 15))[0]
    flags = _style_flags(r)
    doc = _Doc(rng=r, vocab=vocab, jur=jur, topic=topic, year=year, kind=kind,
               indent=r.choice(["　　", "　　", "", "  "]), blank=r.random() < 0.4)
    doc.agency_table, doc.agency_keys, doc.agency_cum = _agency_table(vocab, jur)
    doc.elidable = frozenset(a["key"] for a in vocab.agencies if a.get("elide"))
    doc.elide = r.random() < (0.45 if jur.level == "ar" else 0.2)
    doc.clause_styles = _choose_styles(r, flags["half"])
    doc.clause_after_stop = r.random() < 0.7
    word = "部门" if r.random() < 0.3 else "单位"
    doc.line_labels = ("牵头" + word + "：", "配合" + word + "：", "责任" + word + "：")
    doc.has_clauses = r.random() > 0.08
    doc.collective = r.choice(jur.province["collective"]) if jur.city is None else \
        r.choice(["各县（区）人民政府", "各县（市、区）人民政府", "各区县政府"])
    if r.random() < 0.3:
        keys = [k for k in doc.agency_keys[:16] if len(doc.agency_table[k]) > 1]
        doc.alias_keys = set(r.sample(keys, min(len(keys), r.randint(1, 3))))
    _make_named(doc)

    office = r.random() < 0.55
    gov_name = jur.name + "人民政府"
    issuer_name = gov_name + "办公厅" if office else gov_name
    title = _plan_title(doc, issuer_name)
    has_number = r.random() < 0.7
    number = _number(doc, office, taken) if has_number else None
    date_text, date_iso = _date(r, year)
    notice = r.random() < (0.15 if kind == "opinion" else 0.5)
    no_title = not notice and jur.city is None and r.random() < 0.04
    issuer = issuer_name if (kind == "opinion" and not no_title) else None
    issued = None
    sign_bottom = False
    addressee = _fill(r.choice(vocab.phrases["addressees"]), {"collective": doc.collective, "gov": jur.gov_short,
                                                              "prefix": jur.prefix})
    gold_title = None if no_title else title

    if notice:
        full = r.random() < 0.55
        if full:
            heading = issuer_name + "关于印发" + ("《" + title + "》" if len(title) % 2 else title) + "的通知"
            doc.lines.append(heading)
            if gold_title is not None:
                gold_title = heading
            issuer = issuer_name
            if number:
                doc.lines.append(number)
            doc.lines.append("")
        else:
            number = None
        doc.para(addressee + "：")
        doc.para("《" + title + "》" + _fill(r.choice(vocab.phrases["notice_bodies"]),
                                            {"gov": jur.gov_short, "n": str(r.randint(2, 150))}))
        if full or r.random() < 0.6:
            doc.lines.append(issuer_name)
            doc.lines.append(date_text)
            issuer, issued = issuer_name, date_iso
            if r.random() < 0.3:
                doc.lines.append("（此件公开发布）")
        doc.lines.append("")
        if r.random() < 0.75:
            _split_title(doc, title)
    else:
        if not no_title:
            _split_title(doc, title)
            if number:
                doc.lines.append(number)
            else:
                number = None
            if r.random() < 0.15:
                doc.lines.append("（" + date_text + "）")
                issued = date_iso
            if kind == "opinion" or r.random() < 0.3:
                doc.para(addressee + "：")
        else:
            number = None
        sign_bottom = issued is None and not no_title and r.random() < 0.5

    implements = _opening(doc)
    guarantee = r.random() < 0.85
    guarantee_clauses = guarantee and doc.has_clauses and r.random() < 0.25
    n_tasks = max(10, min(50, round(r.gauss(43, 8)))) - (4 if guarantee_clauses else 0)
    n_sections = 1 if not doc.has_clauses else r.choices([1, 2, 3], (25, 40, 35))[0]
    if not doc.has_clauses:
        n_tasks = r.randint(5, 15)
    nested_doc = doc.has_clauses and (r.random() < 0.5 or n_tasks > 15 * n_sections)
    numerals = [cn_number(i) for i in range(1, 12)]
    _overview(doc, numerals)
    for s in range(n_sections):
        share = n_tasks // n_sections + (1 if s < n_tasks % n_sections else 0)
        nested = nested_doc and (s == 0 or r.random() < 0.6)
        if not nested and share > 15:
            share = 15
        title_s = r.choice(vocab.phrases["task_section_titles"]) if s == 0 else \
            r.choice(vocab.phrases["other_task_sections"]).replace("{focus}", topic["focus"])
        _task_section(doc, numerals.pop(0), title_s, share, nested)
    if guarantee:
        _guarantee(doc, numerals.pop(0), guarantee_clauses)
    if sign_bottom:
        doc.lines.append("")
        doc.lines.append(issuer_name)
        doc.lines.append(date_text)
        issuer, issued = issuer_name, date_iso

    style = (lambda s: s.translate(_FW_DIGITS)) if flags["fw"] else (lambda s: s)
    if flags["half"]:
        base = style
        style = lambda s: base(s).translate(_HW_PUNCT)  # noqa: E731
    text = style("\n".join(doc.lines).rstrip("\n") + "\n")
    name = f"{index:0{width}d}_{jur.slug}_{kind}.txt"
    gold = _gold(doc, name, style, gold_title, number, issued, issuer, implements)
    return GeneratedDocument(name, text, gold, number)


def _gold(doc: _Doc, name: str, style, title, number, issued, issuer, implements) -> dict:
    used = {k: list(dict.fromkeys(v)) for k, v in doc.used_named.items()}
    clusters = [[style(f) for f in forms] for key, forms in doc.forms_used.items()
                if not isinstance(key, tuple) and len(forms) > 1]
    distinct = []
    for a, b in doc.vocab.distinct_pairs:
        if doc.forms_used.get(a) and doc.forms_used.get(b):
            distinct.append([style(doc.forms_used[a][0]), style(doc.forms_used[b][0])])
    tasks = [{"path": t["path"], "title": style(t["title"]),
              "assignments": [{**a, "mention": style(a["mention"])} for a in t["assignments"]]}
             for t in doc.tasks]
    targets = [{**t, "text": style(t["text"]), "unit": style(t["unit"])} for t in doc.targets]
    return {
        "document": name,
        "jurisdiction": doc.jur.name,
        "title": style(title) if title else None,
        "document_number": style(number) if number else None,
        "issued": issued,
        "issuer": style(issuer) if issuer else None,
        "implements": sorted(set(implements)),
        "tasks": tasks,
        "agency_clusters": clusters,
        "distinct_agencies": distinct,
        "targets": targets,
        "parks": [style(n) for n in used.get("parks", [])],
        "funds": [style(n) for n in used.get("funds", [])],
        "programs": [style(n) for n in used.get("programs", [])],
    }


# ---------------------------------------------------------------- the corpus


def gold_json(gold: dict) -> str:
    """The gold file's text: one top-level field per line, compact inside (fast to write, easy to diff)."""
    fields = (f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in gold.items())
    return "{\n" + ",\n".join(fields) + "\n}\n"


_WORKER_VOCAB: Vocab | None = None


def _worker_init() -> None:
    global _WORKER_VOCAB
    _WORKER_VOCAB = load_vocab()


def _worker(job: tuple[int, int, int]) -> GeneratedDocument:
    seed, index, width = job
    return generate_document(_WORKER_VOCAB, seed, index, width)


def generate_corpus(n: int, out_dir: Path, *, seed: int = 0, gold_dir: Path | None = None,
                    vocab: Vocab | None = None, jobs: int = 1) -> list[str]:
    """Write ``n`` documents into ``out_dir`` and their gold files into ``gold_dir``; return the file names.

    Each document is written as soon as it is made, so memory stays flat
    whatever ``n`` is. With ``jobs`` > 1 documents are drawn in worker
    processes; the output is the same bytes as with one job, because each
    document has its own random stream and a document whose 文号 repeats an
    earlier one is redrawn here, in order.
    """
    vocab = vocab or load_vocab()
    out_dir = Path(out_dir)
    gold_dir = Path(gold_dir) if gold_dir is not None else out_dir / "gold"
    out_dir.mkdir(parents=True, exist_ok=True)
    gold_dir.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(n)))
    names: list[str] = []
    taken: set[str] = set()
    jobs_list = ((seed, i, width) for i in range(1, n + 1))
    pool = None
    if jobs > 1 and n >= 200:
        import multiprocessing

        pool = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork").Pool(jobs, _worker_init)
        drawn = pool.imap(_worker, jobs_list, chunksize=32)
    else:
        drawn = (generate_document(vocab, s, i, w) for s, i, w in jobs_list)
    try:
        for i, d in enumerate(drawn, start=1):
            if d.number is not None and d.number in taken:
                d = generate_document(vocab, seed, i, width, taken)
            if d.number is not None:
                taken.add(d.number)
            (out_dir / d.name).write_bytes(d.text.encode("utf-8"))
            (gold_dir / (d.name[:-4] + ".json")).write_bytes(gold_json(d.gold).encode("utf-8"))
            names.append(d.name)
    finally:
        if pool is not None:
            pool.terminate()
    return names


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate.py N OUT_DIR [--seed S] [--gold-dir DIR]``; prints documents per second."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("out_dir", type=Path, help="folder for the .txt documents")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    parser.add_argument("--gold-dir", type=Path, default=None, help="folder for the gold JSON (default OUT_DIR/gold)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be 0 or more")
    start = time.perf_counter()
    generate_corpus(args.n, args.out_dir, seed=args.seed, gold_dir=args.gold_dir, jobs=max(1, args.jobs))
    seconds = time.perf_counter() - start
    rate = args.n / seconds if seconds > 0 else float("inf")
    print(f"{args.n} documents in {seconds:.2f} s ({rate:.0f} docs/s) -> {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
