"""Scoring: 1,000,000 answer vectors (PHQ-9, GAD-7, UPI, SCL-90) through score(), against plain sum().

Pure scoring throughput: the vectors are generated in memory (deterministic, realistic skews: most answers
"not at all", some high scorers, UPI item 64 mostly "无" with a few requests), 50,000 at a time, and only
scoring is timed. Every vector is scored with the shipped definitions under the default rules through the
public `score(definition, answers, rules=…)`, which includes finding the compiled scorer. The baseline, in
the same run on the same vectors, adds up each vector's numeric answers with the built-in sum(): the floor
for anything that reads every answer in Python.

The issue's target — re-scoring 1,000,000 STORED responses in ≤ 60 s — also needs the storage side
(reading answers in batches, writing results back), which comes with the response model; this measures
the scorer's share of that budget. The cyclic garbage collector is paused while timing, for both.
"""

import gc
import random
import time
from collections import Counter
from itertools import islice

from bench.harness import sized
from xinyu.policy.screening import DEFAULT_RULES
from xinyu.screening.definition import shipped_definition
from xinyu.screening.scoring import score

VECTORS = sized(1_000_000, 2_000)
CHUNK = sized(50_000, 1_000)
PER_INSTRUMENT = sized(50_000, 500)
CHECKED_PER_CHUNK = sized(4000, 100)
TARGET_SECONDS = 60.0
MIX = ("PHQ-9", "GAD-7", "UPI", "SCL-90")  # in turn: 250,000 of each
ITEM64 = ["无"] * 12 + ["没有"] * 4 + [""] * 3 + ["想找老师聊聊", "最近失眠，想咨询"]


def _generator(rng: random.Random):
    """(numeric answer count, make()) per instrument. Most respondents answer low, one in five answers
    higher; the red-flag items (PHQ-9 item 9, UPI item 25, SCL-90 item 15) are rarer than the others."""

    def frequency(count, flag_item=None):
        def make():
            high = rng.random() < 0.2
            answers = dict(enumerate(rng.choices((0, 1, 2, 3), (2, 3, 3, 2) if high else (6, 3, 1, 1), k=count), 1))
            if flag_item:  # PHQ-9: item 9 rarer; item 10 (difficulty, not scored) answered too
                answers[flag_item] = rng.choices((0, 1, 2, 3), (8, 2, 1, 1) if high else (40, 2, 1, 0))[0]
                answers[10] = rng.choices((0, 1, 2, 3), (2, 3, 2, 1) if high else (6, 3, 1, 0))[0]
            return answers

        return make

    def upi():
        rate = 0.3 if rng.random() < 0.2 else 0.08
        answers = {n: 1 if rng.random() < rate else 0 for n in range(1, 64)}
        answers[25] = 1 if rng.random() < rate / 5 else 0
        answers[64] = rng.choice(ITEM64)
        return answers

    def scl90():
        high = rng.random() < 0.2
        answers = dict(enumerate(rng.choices((1, 2, 3, 4, 5), (4, 4, 3, 2, 1) if high else (12, 4, 2, 1, 1), k=90), 1))
        answers[15] = rng.choices((1, 2, 3, 4, 5), (10, 3, 2, 1, 1) if high else (50, 2, 1, 0, 0))[0]
        return answers

    return {"PHQ-9": (10, frequency(9, 9)), "GAD-7": (7, frequency(7)), "UPI": (63, upi), "SCL-90": (90, scl90)}


def run(report):
    definitions = {code: shipped_definition(code) for code in MIX}
    rng = random.Random(2026)
    makers = _generator(rng)
    scoring = baseline = 0.0
    per_instrument = Counter()
    outcomes = Counter()
    done = 0
    while done < VECTORS:
        chunk = []
        for k in range(CHUNK):
            code = MIX[(done + k) % len(MIX)]
            numeric, make = makers[code]
            chunk.append((definitions[code], make(), numeric))
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            for definition, answers, _numeric in chunk:
                score(definition, answers, rules=DEFAULT_RULES)
            scoring += time.perf_counter() - started

            started = time.perf_counter()
            for _definition, answers, numeric in chunk:
                sum(islice(answers.values(), numeric))
            baseline += time.perf_counter() - started
        finally:
            gc.enable()
        # Outside the timing: what the vectors scored, per instrument (a check that the work was real).
        for definition, answers, _numeric in chunk[:CHECKED_PER_CHUNK]:
            result = score(definition, answers, rules=DEFAULT_RULES)
            label = result.band.code if result.band else result.classification.code
            outcomes[(definition.code, label, result.red_flag)] += 1
        done += CHUNK

    for code in MIX:
        definition = definitions[code]
        sample = [makers[code][1]() for _ in range(PER_INSTRUMENT)]
        gc.disable()
        try:
            started = time.perf_counter()
            for answers in sample:
                score(definition, answers, rules=DEFAULT_RULES)
            per_instrument[code] = (time.perf_counter() - started) / len(sample) * 1e6
        finally:
            gc.enable()

    report(f"score() {VECTORS:,} mixed vectors", scoring, "s", f"issue target for 1M stored: ≤ {TARGET_SECONDS:g} s")
    report("score() throughput", VECTORS / scoring, "vec/s")
    for code in MIX:
        items = len(definitions[code].items)
        report(f"  {code} ({items} items), per vector", per_instrument[code], "µs")
    report(f"baseline: plain sum() over the same {VECTORS:,}", baseline, "s", "same vectors, same run")
    report("score() / baseline", scoring / baseline, "×")
    flagged = sum(count for (_code, _label, red), count in outcomes.items() if red)
    sampled = sum(outcomes.values())
    report("sampled results with a red flag", 100 * flagged / sampled, "%", f"sample of {sampled:,}")
