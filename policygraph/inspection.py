"""What extraction read from one document, laid out for a person checking it: ``policygraph inspect``.

An analyst who points the tool at a new province's documents needs to see,
before trusting any ranking, where the tool placed each document and why,
which tasks and bodies it read with which roles, which cued lists it refused
(and why), which bodies no lexicon row describes, and the targets with every
field. :func:`inspection` turns an :class:`~policygraph.model.Extraction` into
plain data (also printed as JSON); :func:`format_inspection` into text.
"""
from __future__ import annotations

from .model import UNCLASSIFIED, Extraction
from .segment import line_numbers

__all__ = ["inspection", "format_inspection"]


def _line_finder(x: Extraction):
    """The line of each offset ``inspection`` reports, from one pass over the text.

    Counting newlines from the start for every item made inspecting a long
    document quadratic in its length.
    """
    offsets = [t.node.span.start for t in x.tasks]
    offsets += [a.mention.span.start for t in x.tasks for a in t.assignments]
    offsets += [item.span.start for item in (*x.rejected, *x.targets, *x.named)]
    return line_numbers(x.document.text, offsets).__getitem__


def inspection(x: Extraction) -> dict:
    """The facts of one extraction as JSON-ready data, each with its line in the source."""
    meta = x.meta
    line = _line_finder(x)
    tasks = []
    for task in x.tasks:
        node = task.node
        tasks.append({
            "path": "/".join(((node.part,) if node.part else ()) + node.path),
            "title": node.title,
            "line": line(node.span.start),
            "assignments": [{
                "surface": a.mention.surface,
                "role": a.mention.role,
                "role_stated": a.mention.stated,
                "agency": a.agency.name if a.agency else None,
                "type": a.agency.agency_type if a.agency else None,
                "generic": a.mention.generic,
                "plates": list(a.mention.aliases),
                "line": line(a.mention.span.start),
            } for a in task.assignments],
        })
    return {
        "document": x.document.source_file,
        "encoding": x.document.encoding,
        "title": meta.title,
        "jurisdiction": meta.jurisdiction,
        "jurisdiction_evidence": meta.jurisdiction_evidence,
        "jurisdiction_level": meta.jurisdiction_level,
        "jurisdiction_parent": meta.jurisdiction_parent,
        "issuer": meta.issuer,
        "number": meta.number,
        "issued": meta.issued.isoformat() if meta.issued else None,
        "implements": [c.number for c in meta.implements],
        "tasks": tasks,
        "rejected": [{"text": r.text, "reason": r.reason, "line": line(r.span.start)} for r in x.rejected],
        "unrecognised_bodies": list(x.unrecognised_bodies),
        "targets": [{
            "surface": t.surface, "value": str(t.value), "value_max": str(t.value_max) if t.value_max is not None else None,
            "unit": t.unit, "comparator": t.comparator, "year": t.year, "annual": t.annual, "metric": t.metric,
            "line": line(t.span.start),
        } for t in x.targets],
        "named": [{"kind": n.kind, "name": n.name, "line": line(n.span.start)} for n in x.named],
        "warnings": list(x.warnings),
    }


def _level(data: dict) -> str:
    """``  [town in 闵行区]``: the level of the document's jurisdiction and the one above it."""
    if not data.get("jurisdiction_level"):
        return ""
    parent = f" in {data['jurisdiction_parent']}" if data.get("jurisdiction_parent") else ""
    return f"  [{data['jurisdiction_level']}{parent}]"


def format_inspection(data: dict) -> str:
    """:func:`inspection` as text, one fact per line."""
    out = [f"== {data['document']} ({data['encoding']})",
           f"title         {data['title'] or '(none stated)'}",
           f"jurisdiction  {data['jurisdiction']}  <- {data['jurisdiction_evidence'] or ''}{_level(data)}",
           f"issuer        {data['issuer'] or '-'}    文号 {data['number'] or '-'}    issued {data['issued'] or '-'}"]
    if data["implements"]:
        out.append(f"implements    {'、'.join(data['implements'])}")
    n_assignments = sum(len(t["assignments"]) for t in data["tasks"])
    out.append(f"tasks {len(data['tasks'])}, assignments {n_assignments}")
    for task in data["tasks"]:
        out.append(f"  [{task['path']}] {task['title']}  (line {task['line']})")
        for a in task["assignments"]:
            role = a["role"] + ("" if a["role_stated"] else " (no role stated)")
            agency = "generic" if a["generic"] else (a["agency"] or "-")
            kind = " unclassified" if a["type"] == UNCLASSIFIED else ""
            plates = f"  plates {'、'.join(a['plates'])}" if a["plates"] else ""
            out.append(f"      {role:<11} {a['surface']} -> {agency}{kind}{plates}")
    if data["rejected"]:
        out.append(f"rejected cued lists {len(data['rejected'])}")
        out.extend(f"  line {r['line']}: {r['text'][:60]}  ({r['reason']})" for r in data["rejected"])
    if data["unrecognised_bodies"]:
        out.append(f"unrecognised bodies {len(data['unrecognised_bodies'])}: {'、'.join(data['unrecognised_bodies'])}")
    out.append(f"targets {len(data['targets'])}")
    for t in data["targets"]:
        value = t["value"] + (f"-{t['value_max']}" if t["value_max"] else "")
        extra = "".join(f" {k}={t[k]}" for k in ("year", "metric") if t[k]) + (" annual" if t["annual"] else "")
        out.append(f"  {t['comparator']} {value}{t['unit'] or ''}{extra}  | {t['surface']}  (line {t['line']})")
    if data["named"]:
        out.append(f"named {len(data['named'])}: " + "、".join(f"{n['name']} ({n['kind']})" for n in data["named"]))
    for w in data["warnings"]:
        out.append(f"warning: {w}")
    return "\n".join(out)
