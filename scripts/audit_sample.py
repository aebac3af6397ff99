"""Draw the re-audit sample of bundled findings reproducibly, and print them for reading (docs/audit.md).

    python scripts/audit_sample.py [--n 30] [--skip 0] [--seed issue-19] [--ids]

Every finding id in ``db/reviews/*.yaml`` is ranked by the SHA-256 of ``SEED:id`` and the first ``n`` are the
sample: the same seed gives the same sample, and a finding added later joins it only if it ranks above them
(a shuffle of the whole list would change every pick). ``--skip 30`` draws the next sample (ranks 31-60)
without overlapping the first. ``--ids`` prints the ids only; otherwise each sampled
finding is printed with its review's seed text, section and coding, as docs/audit.md judges them.
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
FIELDS = ("statement", "section", "cited", "agent", "population", "species", "outcome", "direction", "evidence",
          "dose", "duration", "sample_size", "effect_size", "caution", "tags")


def findings(db: Path = REPO / "db") -> dict[str, tuple[dict, dict]]:
    """Every finding id -> (its review's metadata, the finding's entry)."""
    out = {}
    for path in sorted((db / "reviews").glob("*.yaml")):
        review = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in review.get("findings") or []:
            out[entry["id"]] = (review, entry)
    return out


def sample(ids, n: int = 30, seed: str = "issue-19", skip: int = 0) -> list[str]:
    """The ``n`` ids ranked first (after ``skip``) by SHA-256 of ``seed:id``, in id order."""
    rank = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    return sorted(rank[skip:skip + n])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--skip", type=int, default=0, help="leave out the first SKIP ranks (a further sample)")
    parser.add_argument("--seed", default="issue-19")
    parser.add_argument("--ids", action="store_true", help="print the sampled ids only")
    args = parser.parse_args()
    every = findings()
    for fid in sample(every, args.n, args.seed, args.skip):
        if args.ids:
            print(fid)
            continue
        review, entry = every[fid]
        print(f"== {fid}  ({review['id']}, seed {review.get('source_id')})")
        for name in FIELDS:
            if entry.get(name) not in (None, [], ""):
                print(f"  {name}: {entry[name]}")


if __name__ == "__main__":
    main()
