"""How well the linker finds the documents' places (issue 26).

Usage::

    .venv/bin/python benchmarks/bench_linker.py            # recall, precision, errors, timing
    .venv/bin/python benchmarks/bench_linker.py --draw     # add unjudged sample items

Recall: for every curated excerpt (a feature's ``sources`` quote → its paragraph), is that
paragraph proposed for that feature? Per document and overall, with the misses.

Precision: on ``benchmarks/linker_annotations.json``, a random sample (``random.Random(seed)``
over every proposal of the five documents, in a fixed order) judged by reading the
paragraph; each judgement has a one-line reason and, when false, the kind of error.
Per document and overall, with the false links. Proposals the sample does not hold are
counted as unjudged; judged items the linker no longer proposes are listed.

Reference measured in the same run: a naive exact-match linker (every occurrence of every
curated ``name_zh``, no aliases, no context): its recall, and the time of both.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from corridor_map.analysis.link_results import Proposal
from corridor_map.analysis.linker import Linker
from corridor_map.atlas.aliases import load_aliases
from corridor_map.atlas.model import load_atlas
from corridor_map.documents.corpus import load_corpus

ANNOTATIONS = Path(__file__).with_name("linker_annotations.json")
SEED = 26
SAMPLE = 200
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.9


def key(doc, paragraph, start, end, feature):
    return (doc, paragraph, int(start), int(end), feature)


def naive_links(atlas, corpus):
    """Every occurrence of every curated name, nothing else: the reference."""
    found = set()
    for doc in corpus.documents.values():
        for paragraph in doc.paragraphs:
            for feature in atlas.select(include_reference=False):
                if feature.name_zh and feature.name_zh in paragraph.text:
                    found.add((doc.id, paragraph.id, feature.id))
    return found


def curated_pairs(atlas, corpus):
    pairs = {}
    for feature in atlas.select(include_reference=False):
        for source in feature.sources:
            excerpt = corpus.resolve(source["doc"], source["quote"], source.get("paragraph"))
            pairs.setdefault((source["doc"], excerpt.paragraph_id, feature.id), source["quote"])
    return pairs


def miss_kind(feature, aliases, text):
    forms = [feature.name_zh, *aliases.names(feature.id)]
    if any(form in text for form in forms):
        return "named, but not proposed (context or blocked by a longer name)"
    return "not named in the paragraph (a descriptor, anaphor or abbreviation no rule knows)"


def ratio(hit, total):
    return hit / total if total else float("nan")


def report_recall(pairs, proposed, atlas, aliases, corpus):
    by_doc = defaultdict(lambda: [0, 0])
    misses = []
    for (doc, paragraph, fid), quote in sorted(pairs.items()):
        by_doc[doc][1] += 1
        if (doc, paragraph, fid) in proposed:
            by_doc[doc][0] += 1
        else:
            text = corpus.document(doc).paragraph(paragraph).text
            misses.append((doc, paragraph, fid, quote, miss_kind(atlas.get(fid), aliases, text)))
    print("\n== recall of the curated links (paragraph proposed for its feature)")
    for doc in corpus.documents:
        hit, total = by_doc[doc]
        if total:
            print(f"  {doc:28} {hit:3}/{total:<3} {ratio(hit, total):.3f}")
    hit = sum(v[0] for v in by_doc.values())
    total = sum(v[1] for v in by_doc.values())
    overall = ratio(hit, total)
    verdict = "PASS" if overall >= TARGET_RECALL else "FAIL"
    print(f"  {'overall':28} {hit:3}/{total:<3} {overall:.3f}  target ≥ {TARGET_RECALL} {verdict}")
    print(f"  misses ({len(misses)}), by kind: {dict(Counter(m[4] for m in misses))}")
    for doc, paragraph, fid, quote, kind in misses:
        print(f"    {doc} {paragraph} {fid}: {quote!r} — {kind}")
    return overall


def ordered(proposals):
    return sorted(proposals, key=lambda p: (p.doc_id, p.paragraph_id, p.start, p.feature_id))


def draw(proposals: list[Proposal], corpus) -> None:
    existing = json.loads(ANNOTATIONS.read_text("utf-8")) if ANNOTATIONS.exists() else {}
    items = {
        key(a["doc"], a["paragraph"], a["start"], a["end"], a["feature"]): a
        for a in existing.get("annotations", [])
    }
    pool = ordered(proposals)
    sample = random.Random(SEED).sample(pool, min(SAMPLE, len(pool)))
    for p in sample:
        k = key(p.doc_id, p.paragraph_id, p.start, p.end, p.feature_id)
        if k not in items:
            text = corpus.document(p.doc_id).paragraph(p.paragraph_id).text
            items[k] = {
                "doc": p.doc_id,
                "paragraph": p.paragraph_id,
                "start": p.start,
                "end": p.end,
                "span": p.span,
                "feature": p.feature_id,
                "feature_name": p.feature_name,
                "why": p.why,
                "around": text[max(0, p.start - 30) : p.end + 30],
                "judgement": None,
                "reason": "",
            }
    data = {
        "description": existing.get("description", ""),
        "seed": SEED,
        "sample_size": len(sample),
        "population": len(pool),
        "annotations": sorted(items.values(), key=lambda a: (a["doc"], a["paragraph"], a["start"])),
    }
    ANNOTATIONS.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {ANNOTATIONS}: {len(items)} items ({len(sample)} drawn of {len(pool)})")


def report_precision(proposals, corpus):
    data = json.loads(ANNOTATIONS.read_text("utf-8"))
    judged = {
        key(a["doc"], a["paragraph"], a["start"], a["end"], a["feature"]): a
        for a in data["annotations"]
        if a.get("judgement") is not None
    }
    current = {key(p.doc_id, p.paragraph_id, p.start, p.end, p.feature_id): p for p in proposals}
    by_doc = defaultdict(lambda: [0, 0])
    false_links = []
    for k, a in judged.items():
        if k not in current:
            continue
        by_doc[a["doc"]][1] += 1
        if a["judgement"]:
            by_doc[a["doc"]][0] += 1
        else:
            false_links.append(a)
    gone = [a for k, a in judged.items() if k not in current]
    print(
        f"\n== precision on the annotated sample (seed {data['seed']}, "
        f"{data['sample_size']} drawn of {data['population']} proposals)"
    )
    for doc in corpus.documents:
        good, total = by_doc[doc]
        if total:
            print(f"  {doc:28} {good:3}/{total:<3} {ratio(good, total):.3f}")
    good = sum(v[0] for v in by_doc.values())
    total = sum(v[1] for v in by_doc.values())
    overall = ratio(good, total)
    verdict = "PASS" if overall >= TARGET_PRECISION else "FAIL"
    print(
        f"  {'overall':28} {good:3}/{total:<3} {overall:.3f}  target ≥ {TARGET_PRECISION} {verdict}"
    )
    print(
        f"  unjudged proposals: {len(current) - total}; judged but no longer proposed: {len(gone)}"
    )
    kinds = Counter(a.get("error", "unspecified") for a in false_links)
    print(f"  false links ({len(false_links)}), by kind: {dict(kinds)}")
    for a in false_links:
        print(f"    {a['doc']} {a['paragraph']} 【{a['span']}】 → {a['feature']}: {a['reason']}")
    by_reason = defaultdict(lambda: [0, 0])
    for k, a in judged.items():
        if k in current:
            by_reason[current[k].reason][1] += 1
            by_reason[current[k].reason][0] += bool(a["judgement"])
    print(
        "  by how the mention was found: "
        + ", ".join(f"{r} {g}/{t}" for r, (g, t) in sorted(by_reason.items()))
    )
    return overall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", action="store_true", help="add unjudged sample items")
    args = parser.parse_args()
    atlas = load_atlas(strict=True)
    corpus = load_corpus()
    aliases = load_aliases()
    started = time.perf_counter()
    linker = Linker(atlas, aliases)
    built = time.perf_counter() - started
    started = time.perf_counter()
    results = [linker.link(doc) for doc in corpus.documents.values()]
    linking = time.perf_counter() - started
    started = time.perf_counter()
    naive = naive_links(atlas, corpus)
    naive_time = time.perf_counter() - started
    proposals = [p for r in results for p in r.proposals]
    if args.draw:
        draw(proposals, corpus)
        return 0
    print("== linker over the five documents")
    for r in results:
        print(
            f"  {r.doc_id:28} {len(r.proposals):3} proposals, {len(r.ignored)} ignored, "
            f"{len({n.text for n in r.new_places})} new-place candidates"
        )
    print(
        f"  build {built:.2f} s; link {linking:.3f} s; naive exact match {naive_time:.3f} s "
        f"(linker / naive = {linking / naive_time:.1f}×)"
    )
    pairs = curated_pairs(atlas, corpus)
    proposed = {(p.doc_id, p.paragraph_id, p.feature_id) for p in proposals}
    recall = report_recall(pairs, proposed, atlas, aliases, corpus)
    naive_recall = ratio(sum(1 for k in pairs if k in naive), len(pairs))
    print(
        f"  reference: naive exact match recall {naive_recall:.3f} "
        f"({len(naive)} paragraph links proposed)"
    )
    precision = report_precision(proposals, corpus)
    print(
        f"\nrecall {recall:.3f} (target {TARGET_RECALL}), precision {precision:.3f} "
        f"(target {TARGET_PRECISION})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
