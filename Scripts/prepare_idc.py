#!/usr/bin/env python3
"""Turn the NCI Imaging Data Commons metadata index into a capped series table for training and
evaluation of the body-part model.

Input: the PyPI package idc-index-data (version 25.0.5), its idc_index.parquet and
collections_index.parquet. Output (both under .data/, never committed):

  <out>                        one row per series, tab-separated, UTF-8, header below
  <out dir>/idc-series-full-stats.txt   fill rate of every column before and after capping

Labels are NOT normalized here: BodyPartExamined is written as found. The Swift taxonomy
(Rules/body-parts.yaml, target Anatomy) is the single source of truth for what a value means.

Capping, so that one collection (nlst: 57 % of all series) does not dominate:
  * at most --cap series per collection (default 6000), sampled deterministically (--seed);
  * every (collection, BodyPartExamined) group with fewer than --keep-small series (default 200)
    is kept whole, so rare classes survive; the rest of the budget is shared evenly between the
    larger groups (water-filling), so a collection's second-largest class is not drowned.
Also dropped by default: slide microscopy (modality SM: specimens, not a scanned body region)
and collections whose species is not human (mouse, canine). Phantom collections are kept.

Usage:
  .data/venv/bin/python Scripts/prepare_idc.py --out .data/idc-series.tsv
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

EXPECTED_VERSION = "25.0.5"

# Output column -> idc_index.parquet column.
COLUMNS = [
    ("collection_id", "collection_id"),
    ("series_instance_uid", "SeriesInstanceUID"),
    ("study_instance_uid", "StudyInstanceUID"),
    ("modality", "Modality"),
    ("manufacturer", "Manufacturer"),
    ("manufacturer_model_name", "ManufacturerModelName"),
    ("study_description", "StudyDescription"),
    ("series_description", "SeriesDescription"),
    ("body_part_examined", "BodyPartExamined"),
    ("sop_class_uid", "SOPClassUID"),
    ("patient_sex", "PatientSex"),
    ("patient_age", "PatientAge"),
    ("instance_count", "instanceCount"),
    ("series_number", "SeriesNumber"),
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load(exclude_modalities: set[str], keep_nonhuman: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (all series with output columns, the same after the modality/species filter)."""
    import idc_index_data

    version = getattr(idc_index_data, "__version__", "?")
    if version != EXPECTED_VERSION:
        log(f"warning: idc-index-data {version}, expected {EXPECTED_VERSION}; counts will differ")
    index_path = Path(idc_index_data.IDC_INDEX_PARQUET_FILEPATH)
    df = pd.read_parquet(index_path, columns=[src for _, src in COLUMNS])
    df = df.rename(columns={src: dst for dst, src in COLUMNS})[[dst for dst, _ in COLUMNS]]
    full = df

    keep = ~df["modality"].isin(exclude_modalities)
    log(f"dropped {int((~keep).sum()):,} series of modality {', '.join(sorted(exclude_modalities)) or '-'}")
    if not keep_nonhuman:
        collections = pd.read_parquet(index_path.parent / "collections_index.parquet",
                                      columns=["collection_id", "species"])
        species = collections.set_index("collection_id")["species"].fillna("")
        nonhuman = {cid for cid, sp in species.items()
                    if sp and "human" not in sp.lower() and "phantom" not in sp.lower()}
        drop = df["collection_id"].isin(nonhuman)
        log(f"dropped {int((drop & keep).sum()):,} series of non-human collections: {', '.join(sorted(nonhuman))}")
        keep &= ~drop
    return full, df[keep]


def clean(value) -> str:
    """One TSV cell: no tabs or line breaks, NaN/None empty."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    s = str(value)
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return s.strip()


def water_fill(sizes: dict[str, int], budget: int) -> dict[str, int]:
    """Share `budget` between groups as evenly as possible, never more than a group has."""
    quota = {k: 0 for k in sizes}
    remaining = dict(sizes)
    while budget > 0 and remaining:
        share = max(1, budget // len(remaining))
        for k in sorted(remaining, key=lambda k: (remaining[k], k)):
            take = min(share, remaining[k], budget)
            quota[k] += take
            remaining[k] -= take
            budget -= take
            if budget == 0:
                break
        remaining = {k: v for k, v in remaining.items() if v > 0}
    return quota


def cap(df: pd.DataFrame, per_collection: int, keep_small: int, seed: int) -> pd.DataFrame:
    """Deterministic per-collection cap that keeps small (collection, BodyPartExamined) groups whole."""
    df = df.sort_values("series_instance_uid", kind="stable")
    bpe = df["body_part_examined"].fillna("")
    parts = []
    for cid, coll in df.groupby("collection_id", sort=True):
        if len(coll) <= per_collection:
            parts.append(coll)
            continue
        groups = {k: g for k, g in coll.groupby(bpe.loc[coll.index], sort=True)}
        small = [g for g in groups.values() if len(g) < keep_small]
        large = {k: g for k, g in groups.items() if len(g) >= keep_small}
        budget = max(0, per_collection - sum(len(g) for g in small))
        quota = water_fill({k: len(g) for k, g in large.items()}, budget)
        sampled = [g.sample(n=quota[k], random_state=seed) if quota[k] < len(g) else g
                   for k, g in large.items() if quota[k] > 0]
        parts.extend(small + sampled)
    return pd.concat(parts).sort_values(["collection_id", "series_instance_uid"], kind="stable")


def fill_rates(df: pd.DataFrame) -> list[str]:
    lines = [f"series\t{len(df)}", "column\tfilled\tfill_rate"]
    for col in df.columns:
        filled = int(df[col].map(lambda v: clean(v) != "").sum())
        lines.append(f"{col}\t{filled}\t{filled / max(1, len(df)):.4f}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=".data/idc-series.tsv", help="output TSV (default %(default)s)")
    ap.add_argument("--cap", type=int, default=6000, help="max series per collection (default %(default)s)")
    ap.add_argument("--keep-small", type=int, default=200,
                    help="keep whole every (collection, BodyPartExamined) group smaller than this (default %(default)s)")
    ap.add_argument("--seed", type=int, default=20251125, help="sampling seed (default %(default)s)")
    ap.add_argument("--exclude-modalities", default="SM", help="comma-separated modalities to drop (default %(default)s)")
    ap.add_argument("--keep-nonhuman", action="store_true", help="keep mouse/canine collections")
    args = ap.parse_args()

    started = time.time()
    excluded = {m.strip() for m in args.exclude_modalities.split(",") if m.strip()}
    full, df = load(excluded, args.keep_nonhuman)
    log(f"read {len(full):,} series; {len(df):,} after filters, {df['collection_id'].nunique()} collections")
    capped = cap(df, args.cap, args.keep_small, args.seed)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(dst for dst, _ in COLUMNS) + "\n")
        for row in capped.itertuples(index=False, name=None):
            f.write("\t".join(clean(v) for v in row) + "\n")
    tmp.replace(out)

    stats = out.parent / "idc-series-full-stats.txt"
    stats.write_text("\n".join(
        ["# idc-index-data idc_index.parquet, all series (before filters and cap)"] + fill_rates(full)
        + ["", f"# {out.name}: after filters and cap"] + fill_rates(capped)) + "\n", encoding="utf-8")

    bpe = capped["body_part_examined"].fillna("").map(clean).replace("", "(empty)")
    print(f"wrote {out}: {len(capped):,} series from {capped['collection_id'].nunique()} collections "
          f"in {time.time() - started:.1f} s; fill rates in {stats}")
    print("\nseries per collection (top 20 after cap):")
    print(capped["collection_id"].value_counts().head(20).to_string())
    print("\nBodyPartExamined after cap (raw values):")
    print(bpe.value_counts().to_string())
    print("\nmodality after cap:")
    print(capped["modality"].value_counts().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
