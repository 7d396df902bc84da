"""Oracle for test/differential/pep440.test.mjs: packaging's verdicts on a batch of inputs.

Reads one JSON object on stdin:
  {"versions": [str], "specs": [str], "pairs": [[spec_i, version_i]], "filters": [[spec_i, [version_i]]]}
Writes one JSON object on stdout with, per input, what packaging says.
"""

import json
import sys

import packaging
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version


def version_info(text):
    try:
        v = Version(text)
    except InvalidVersion:
        return None, {"ok": False}
    except ValueError:
        # Python refuses int() on more than 4300 digits; packaging lets that escape.
        return None, {"ok": False, "overflow": True}
    return v, {"ok": True, "norm": str(v)}


def spec_info(text):
    try:
        ss = SpecifierSet(text)
    except InvalidSpecifier:
        return None, {"ok": False}
    # The specifier regex accepts a few texts (e.g. '~=1.0poſt1', 4301-digit numbers) whose
    # version packaging then cannot parse, so every later use raises. Count those as invalid.
    for s in ss:
        if s.operator == "===":
            continue
        ver = s.version[:-2] if s.version.endswith(".*") else s.version
        try:
            Version(ver)
        except Exception:
            return None, {"ok": False, "unusable": True}
    pre = ss.prereleases
    return ss, {"ok": True, "str": str(ss), "pre": pre}


def safe(fn):
    try:
        return fn()
    except Exception as e:  # surfaced as a disagreement on the JS side
        return "error: %s" % type(e).__name__


def main():
    data = json.load(sys.stdin)
    parsed = [version_info(t) for t in data["versions"]]
    sets = [spec_info(t) for t in data["specs"]]

    valid = [i for i, (v, _) in enumerate(parsed) if v is not None]
    valid.sort(key=lambda i: parsed[i][0])
    ranks = {}
    rank = -1
    prev = None
    for i in valid:
        if prev is None or parsed[i][0] != prev:
            rank += 1
            prev = parsed[i][0]
        ranks[i] = rank
    for i, (_, info) in enumerate(parsed):
        if i in ranks:
            info["rank"] = ranks[i]

    pairs = []
    for si, vi in data["pairs"]:
        ss = sets[si][0]
        if ss is None:
            pairs.append({"c": ["packaging rejects this specifier"] * 3})
            continue
        text = data["versions"][vi]
        v = parsed[vi][0]
        row = {"c": [safe(lambda p=p: ss.contains(text, prereleases=p)) for p in (None, True, False)]}
        if v is not None:
            row["obj"] = safe(lambda: ss.contains(v))
        specs = list(ss)
        if len(specs) == 1:
            row["one"] = [safe(lambda p=p: specs[0].contains(text, prereleases=p)) for p in (None, True, False)]
        pairs.append(row)

    filters = []
    for si, vis in data["filters"]:
        ss = sets[si][0]
        if ss is None:
            filters.append(["packaging rejects this specifier"] * 3)
            continue
        texts = [data["versions"][i] for i in vis]
        row = []
        for p in (None, True, False):
            out = safe(lambda p=p: list(ss.filter(texts, prereleases=p)))
            row.append(out)
        filters.append(row)

    json.dump(
        {
            "packaging": packaging.__version__,
            "versions": [info for _, info in parsed],
            "specs": [info for _, info in sets],
            "pairs": pairs,
            "filters": filters,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
