"""A realistic synthetic vkref library of N findings and N/10 reviews, deterministic by seed.

    python -m benchmarks.generate --findings 10000 --library benchmarks/out/lib-10000 [--seed 6] [--procs 2]

What "realistic" means here:

- every concept comes from the real vocabulary (``db/vocabulary/*.yaml``), drawn with a Zipf-like skew (vitamin K2,
  MK-4, BMD and fracture are common; NF-κB signalling or Parkinson's disease are rare);
- statements (~35-60 words) and review summaries (~150-250 words) name their concepts by label *or* synonym (so
  query expansion matters), padded with a Zipf-distributed general medical word list;
- species, population and evidence agree: rats -> rat models and animal studies, humans -> clinical populations
  and trials or observational studies, cells -> cell models and in vitro studies;
- 1-3 agents and 1-3 outcomes per finding; years 1990-2025 skewed to recent; journals; 1-6 authors per review;
  dose, duration, sample size and effect size in the body like curated findings.

The library is written through the ``Library`` facade (``add_records(sync=False)`` in chunks, then one
``reindex``), so it opens like any other with ``vkref --library DIR`` and ``Library.open(DIR)``. Timings of the
import and the rebuild are written to ``DIR/generate.json``.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path

from vkref.core.entities import Author, Finding, Provenance, Review
from vkref.core.vocabulary import Vocabulary

# General medical words, most frequent first (the Zipf rank is the position).
GENERAL_WORDS = """
bone patients effect treatment study group increased significantly serum women years months daily therapy
compared level levels control after dose trial baseline reduced loss density mineral vertebral risk clinical
response change changes results showed observed associated higher lower mean analysis data rate markers
increase decrease effects treated combined placebo randomized subjects age older receiving administration
supplementation osteoporosis fracture spine femur trabecular cortical formation resorption turnover osteocalcin
calcium vitamin hormone deficiency intake dietary plasma concentration concentrations measured measurement
assessed evaluated follow period duration weeks week year oral intravenous prevention prevented preventing
improved improvement maintained preserved inhibited inhibition stimulated stimulation enhanced reduction
suppressed suppression protein expression cells cell culture tissue activity osteoblasts osteoclasts marrow
differentiation proliferation apoptosis signalling pathway receptor gene genes mrna factor factors mediated
regulation regulatory metabolism metabolic mechanism mechanisms role function functional structural structure
strength mechanical microarchitecture histomorphometry histomorphometric microcomputed tomography absorptiometry
dual energy x-ray lumbar femoral neck hip radius metacarpal total body site sites region regional quantitative
index indices ratio score scores t-score z-score percentage percent difference differences statistically
significant nonsignificant trend tendency comparable similar consistent inconsistent conflicting limited small
large sample cohort population populations community hospital outpatients inpatients volunteers healthy elderly
postmenopausal premenopausal menopause estrogen ovarian ovariectomy ovariectomized sham operated animals rats
mice murine rodent model models experimental design randomised controlled open label double blind crossover
parallel multicentre multicenter prospective retrospective cross-sectional longitudinal case-control nested
adjusted unadjusted confounding confounders covariates regression multivariate odds hazard relative confidence
interval intervals incidence prevalence events adverse tolerability safety withdrawal dropout compliance adherence
gastrointestinal discomfort rash oedema edema thrombosis coagulation prothrombin warfarin anticoagulant
anticoagulation interaction interactions pharmacokinetic pharmacokinetics bioavailability absorption half-life
elimination hepatic liver kidney renal chronic disease diseases disorder disorders condition conditions comorbid
diabetes rheumatoid arthritis glucocorticoid steroid corticosteroid immobilization disuse stroke hemiplegia
parkinson alzheimer dementia cirrhosis dialysis transplantation epilepsy anticonvulsant malnutrition
undercarboxylated carboxylated carboxylation gamma-carboxyglutamic glutamic residues matrix gla proteins osteopontin
collagen crosslinks deoxypyridinoline pyridinoline telopeptide n-telopeptide c-telopeptide alkaline phosphatase
tartrate-resistant acid phosphatase parathyroid calcitonin calcitriol cholecalciferol ergocalciferol
phylloquinone menaquinone menaquinones menadione natto soybeans fermented cheese dairy vegetables leafy green
spinach broccoli kale diet diets food foods nutrient nutrients supplement supplements tablet capsule capsules
microgram micrograms milligram milligrams mg/day ug/day per kilogram weight body mass bmi height stature falls
fall frailty mobility walking exercise physical activity sunlight exposure season seasonal winter summer japan
japanese european asian caucasian ethnicity genetic polymorphism apolipoprotein genotype allele carriers
inflammation inflammatory cytokines interleukin tumor necrosis alpha beta kappa ligand osteoprotegerin rank
rankl sxr pxr steroid xenobiotic nuclear transcription transcriptional target targets binding affinity
concentration-dependent dose-dependent time-dependent dependent independent additive synergistic combination
monotherapy alone versus against relative absolute benefit benefits harm harms uncertain unclear evidence quality
bias heterogeneity pooled meta-analysis systematic review guideline guidelines recommendation recommendations
""".split()

JOURNALS = [
    ("Osteoporosis International", "Osteoporos Int"), ("Journal of Bone and Mineral Research", "J Bone Miner Res"),
    ("Bone", "Bone"), ("Calcified Tissue International", "Calcif Tissue Int"),
    ("Journal of Bone and Mineral Metabolism", "J Bone Miner Metab"), ("Nutrients", "Nutrients"),
    ("American Journal of Clinical Nutrition", "Am J Clin Nutr"), ("Journal of Nutrition", "J Nutr"),
    ("Maturitas", "Maturitas"), ("Menopause", "Menopause"), ("Clinical Calcium", "Clin Calcium"),
    ("Yonsei Medical Journal", "Yonsei Med J"), ("Keio Journal of Medicine", "Keio J Med"),
    ("Journal of Clinical Endocrinology and Metabolism", "J Clin Endocrinol Metab"),
    ("Archives of Internal Medicine", "Arch Intern Med"), ("BMC Musculoskeletal Disorders", "BMC Musculoskelet Disord"),
    ("Thrombosis and Haemostasis", "Thromb Haemost"), ("Journal of Orthopaedic Science", "J Orthop Sci"),
    ("Endocrine Journal", "Endocr J"), ("Nutrition Reviews", "Nutr Rev"), ("Bone Reports", "Bone Rep"),
    ("Integrative Medicine", "Integr Med"), ("Clinical Drug Investigation", "Clin Drug Investig"),
    ("Journal of Steroid Biochemistry and Molecular Biology", "J Steroid Biochem Mol Biol"),
]
FAMILY = ("Tanaka Suzuki Sato Watanabe Takahashi Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Yamaguchi "
          "Matsumoto Inoue Kimura Shimizu Hayashi Saito Smith Johnson Brown Miller Davis Garcia Wilson Anderson Taylor "
          "Thomas Moore Martin Jackson White Harris Clark Lewis Walker Hall Young Allen King Wright Scott Green Baker "
          "Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards "
          "Stewart Morris Murphy Cook Rogers Vermeer Schurgers Knapen Braam Theuwissen Booth Shearer Cockayne Müller "
          "Schmidt Schneider Fischer Weber Meyer Wagner Becker Rossi Russo Ferrari Esposito Bianchi Romano Dubois "
          "Lefebvre Moreau Laurent Kim Lee Park Choi Jung Kang Cho Chen Wang Li Zhang Liu Yang Huang Zhao Wu Zhou").split()
GIVEN = ("Jun Tsuyoshi Yoshihiro Masayoshi Hiroshi Akira Kenji Takashi Yuki Naoko Keiko Mariko Emi Sarah John "
         "Cees Leon Marjo Sarah Martin Caroline Anna Maria Luca Marco Pierre Claire Min-Jung Wei Ling Hui Jae-Hoon "
         "David Michael Elizabeth Susan Robert James Patricia Linda Barbara Richard Joseph Thomas Daniel").split()
SECTIONS = ["Introduction", "Clinical studies", "Animal studies", "In vitro studies", "Mechanism of action",
            "Fracture prevention", "Bone mineral density", "Safety", "Combination therapy", "Discussion",
            "Pharmacokinetics", "Dietary sources", "Conclusions"]
VERBS = {"beneficial": ["increased", "improved", "preserved", "prevented loss of", "enhanced", "raised",
                        "protected"],
         "no-effect": ["did not change", "had no significant effect on", "left unchanged", "did not alter"],
         "harmful": ["reduced", "impaired", "worsened", "decreased"],
         "mixed": ["had inconsistent effects on", "variably affected", "gave conflicting results for"]}
EVIDENCE_PHRASES = {"meta-analysis": ["in a meta-analysis of", "pooling"], "rct": ["in a randomized trial of",
                    "in a randomised controlled trial in"], "cct": ["in a controlled clinical trial of",
                    "in a non-randomized trial in"], "observational": ["in a cohort of", "in a cross-sectional study of",
                    "in an observational study of"], "animal-study": ["in", "in experiments with"],
                    "in-vitro": ["in cultured", "in"], "mechanistic": ["in", "according to studies in"]}
SPECIES = [("human", 0.48), ("rat", 0.30), ("mouse", 0.04), ("cell-culture", 0.18)]
EVIDENCE_BY_SPECIES = {
    "human": [("rct", 0.36), ("observational", 0.28), ("cct", 0.16), ("meta-analysis", 0.08), ("mechanistic", 0.12)],
    "rat": [("animal-study", 0.9), ("mechanistic", 0.1)], "mouse": [("animal-study", 0.9), ("mechanistic", 0.1)],
    "cell-culture": [("in-vitro", 0.85), ("mechanistic", 0.15)]}
POPULATION_ROOTS = {"human": ["humans-all", "hip-fracture-patients"], "rat": ["rat-model"], "mouse": [],
                    "cell-culture": ["cell-models"]}
DIRECTIONS = [("beneficial", 0.6), ("no-effect", 0.25), ("mixed", 0.1), ("harmful", 0.05)]
# Concepts that head the Zipf order of their facet (the rest follow in vocabulary order).
HEAD = {"agent": ["vitamin-k2", "mk4", "mk7", "vitamin-k1", "alfacalcidol", "calcium", "vitamin-d3", "bisphosphonate",
                  "risedronate", "alendronate", "raloxifene", "natto", "vitamin-k", "warfarin", "estrogen"],
        "outcome": ["bmd", "lumbar-bmd", "vertebral-fracture", "fracture", "osteocalcin-carboxylation",
                    "bone-formation", "bone-resorption", "femoral-bmd", "hip-fracture", "bone-strength",
                    "trabecular-architecture", "bone-turnover", "cortical-bone", "safety", "osteocalcin-synthesis"],
        "population": ["postmenopausal-osteoporosis", "postmenopausal-women", "ovx-rat", "elderly-women",
                       "osteoblastic-cells", "mc3t3-e1", "glucocorticoid-osteoporosis", "osteoclastic-cells"]}


class Zipf:
    """Draw from ``items`` with weight 1/rank**s (rank = position)."""

    def __init__(self, items, s: float = 1.05):
        self.items = list(items)
        self.cum = list(accumulate(1.0 / (r ** s) for r in range(1, len(self.items) + 1)))

    def draw(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]

    def draw_distinct(self, rng: random.Random, n: int) -> list:
        out: list = []
        while len(out) < min(n, len(self.items)):
            x = self.draw(rng)
            if x not in out:
                out.append(x)
        return out


def _weighted(rng: random.Random, pairs):
    x, acc = rng.random() * sum(w for _, w in pairs), 0.0
    for item, w in pairs:
        acc += w
        if x < acc:
            return item
    return pairs[-1][0]


class Generator:
    """Deterministic record factory over one vocabulary."""

    def __init__(self, vocabulary: Vocabulary, seed: int = 6):
        self.v = vocabulary
        self.rng = random.Random(seed)
        self.words = Zipf(GENERAL_WORDS, 1.0)
        self.facet = {f: Zipf(self._order(f)) for f in ("agent", "outcome")}
        self.populations = {sp: Zipf(self._order("population", [c for r in roots if r in vocabulary
                                                                for c in [r] + vocabulary.descendants(r)]))
                            for sp, roots in POPULATION_ROOTS.items()}

    def _order(self, facet: str, allowed: list[str] | None = None) -> list[str]:
        ids = allowed if allowed is not None else [c.id for c in self.v.in_facet(facet)]
        head = [c for c in HEAD.get(facet, []) if c in ids]
        return head + [c for c in ids if c not in head]

    def name(self, cid: str) -> str:
        c = self.v[cid]
        return c.label if self.rng.random() < 0.5 or not c.synonyms else self.rng.choice(c.synonyms)

    def filler(self, lo: int, hi: int) -> str:
        n = self.rng.randint(lo, hi)
        out = []
        for i in range(n):
            out.append(self.words.draw(self.rng))
            if i and i < n - 1 and self.rng.random() < 0.25:
                out.append(self.rng.choice(("of", "in", "and", "the", "with", "for")))
        return " ".join(out)

    def sentence(self, lo: int = 8, hi: int = 18) -> str:
        s = self.filler(lo, hi)
        return s[:1].upper() + s[1:] + "."

    # ------------------------------------------------------------------ records
    def review(self, n: int) -> Review:
        rng = self.rng
        agents = self.facet["agent"].draw_distinct(rng, rng.randint(1, 2))
        outcome = self.facet["outcome"].draw(rng)
        journal, abbrev = rng.choice(JOURNALS)
        year = min(2025, 1990 + int(35 * rng.random() ** 0.6))
        title = (f"{rng.choice(('Effects of', 'Role of', 'Evidence on', 'Update on'))} "
                 f"{' and '.join(self.name(a) for a in agents)} on {self.name(outcome).lower()}: "
                 f"{rng.choice(('a review', 'a systematic review', 'a narrative review', 'clinical and experimental evidence'))}")
        summary = " ".join([f"This review summarises evidence on {self.name(agents[0])} and "
                            f"{self.name(outcome)}."] + [self.sentence(12, 24) for _ in range(rng.randint(7, 11))])
        authors = [Author(rng.choice(FAMILY), rng.choice(GIVEN)) for _ in range(rng.randint(1, 6))]
        keywords = list(dict.fromkeys(self.name(c) for c in agents + [outcome] +
                                      self.facet["outcome"].draw_distinct(rng, rng.randint(2, 6))))
        return Review(
            id=f"syn-r{n:06d}", title=title, authors=authors, journal=journal, journal_abbrev=abbrev, year=year,
            volume=str(rng.randint(1, 60)), issue=str(rng.randint(1, 12)),
            pages=f"{(p := rng.randint(1, 900))}-{p + rng.randint(4, 20)}", doi=f"10.9999/syn.{year}.{n:06d}",
            source_id=f"syn-{n:06d}", summary=summary, keywords=keywords,
            provenance=Provenance(created_by="benchmarks.generate"))

    def finding(self, n: int, review_id: str) -> Finding:
        rng = self.rng
        species = _weighted(rng, SPECIES)
        evidence = _weighted(rng, EVIDENCE_BY_SPECIES[species])
        pops = self.populations[species]
        population = [pops.draw(rng)] if pops.items else []
        agents = self.facet["agent"].draw_distinct(rng, _weighted(rng, [(1, 0.5), (2, 0.35), (3, 0.15)]))
        outcomes = self.facet["outcome"].draw_distinct(rng, _weighted(rng, [(1, 0.45), (2, 0.4), (3, 0.15)]))
        direction = _weighted(rng, DIRECTIONS)
        subject = (self.name(population[0]) if population else self.v[species].synonyms[0]
                   if self.v[species].synonyms else self.v[species].label)
        statement = (f"{' combined with '.join(self.name(a) for a in agents)} "
                     f"{rng.choice(VERBS[direction])} {' and '.join(self.name(o).lower() for o in outcomes)} "
                     f"{rng.choice(EVIDENCE_PHRASES[evidence])} {subject}; {self.filler(14, 32)}.")
        statement = statement[:1].upper() + statement[1:]
        human = species == "human"
        return Finding(
            id=f"syn-f{n:07d}", review_id=review_id, statement=statement, section=rng.choice(SECTIONS),
            cited_ref=str(rng.randint(1, 120)), cited_author=rng.choice(FAMILY) if rng.random() < 0.6 else "",
            concepts={"agent": agents, "population": population, "species": [species], "outcome": outcomes,
                      "direction": [direction], "evidence": [evidence]},
            dose=f"{rng.choice((15, 45, 90, 180, 360, 1000))} {'mg/day' if human else 'mg/kg'}"
            if rng.random() < 0.5 else "",
            duration=f"{rng.choice((2, 4, 6, 8, 12, 24, 36))} {'months' if human else 'weeks'}"
            if rng.random() < 0.5 else "",
            sample_size=f"n={rng.randint(8, 4000 if human else 60)}" if rng.random() < 0.5 else "",
            effect_size=f"{rng.uniform(-5, 12):.1f}%" if rng.random() < 0.3 else "",
            provenance=Provenance(created_by="benchmarks.generate"))

    def records(self, n_findings: int, chunk: int = 5000):
        """Yield (reviews, findings) chunks: every review first (with the first chunk), then findings."""
        n_reviews = max(1, n_findings // 10)
        reviews = [self.review(i) for i in range(n_reviews)]
        batch: list[Finding] = []
        first = True
        for i in range(n_findings):
            batch.append(self.finding(i, reviews[self.rng.randrange(n_reviews)].id))
            if len(batch) >= chunk:
                yield (reviews if first else []), batch
                first, batch = False, []
        if batch or first:
            yield (reviews if first else []), batch


def generate(directory: Path, n_findings: int, seed: int = 6, procs: int = 1, chunk: int = 5000,
             log=print) -> dict:
    """Write a library of ``n_findings`` synthetic findings (plus the bundled ones) into ``directory``."""
    from vkref import Library

    directory = Path(directory)
    if (directory / "library.sqlite").exists():
        raise SystemExit(f"{directory} already holds a library: remove it first")
    t0 = time.perf_counter()
    lib = Library.open(directory)
    open_s = time.perf_counter() - t0
    gen = Generator(lib.vocabulary, seed)
    written, import_s = 0, 0.0
    for reviews, findings in gen.records(n_findings, chunk):
        t = time.perf_counter()
        lib.add_records(reviews, findings, who="benchmarks.generate", sync=False)
        import_s += time.perf_counter() - t
        written += len(reviews) + len(findings)
        log(f"  wrote {written} records ({written / import_s:.0f}/s)")
    t = time.perf_counter()
    docs = lib.reindex(procs=procs)
    reindex_s = time.perf_counter() - t
    info = lib.info()
    lib.close()
    stats = {"findings": n_findings, "seed": seed, "procs": procs, "records_written": written,
             "import_s": round(import_s, 2), "import_records_per_s": round(written / import_s, 1) if import_s else 0,
             "reindex_s": round(reindex_s, 2), "reindex_docs": docs,
             "reindex_docs_per_s": round(docs / reindex_s, 1) if reindex_s else 0, "open_new_s": round(open_s, 2),
             "library_findings": info["findings"], "library_reviews": info["reviews"]}
    (directory / "generate.json").write_text(json.dumps(stats, indent=2))
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--findings", type=int, required=True, help="number of synthetic findings (reviews: N/10)")
    ap.add_argument("--library", type=Path, required=True, help="library directory to create")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--procs", type=int, default=1, help="Whoosh writer processes for the rebuild")
    ap.add_argument("--chunk", type=int, default=5000, help="findings per add_records transaction")
    args = ap.parse_args(argv)
    stats = generate(args.library, args.findings, args.seed, args.procs, args.chunk)
    print(json.dumps(stats, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
