#!/usr/bin/env bash
# Evaluation smoke gate for CI (a few minutes, after `summarizer models pull`): LCSTS with the extractive engine,
# and the first 12 FLORES sentences each way with the offline default model. Every line runs the pipeline of
# `summarizer run` (summarize -> translate -> check + repair; `--no-repair` would score the raw model).
# Thresholds sit below what was measured (LCSTS extractive R-L 23.2; FLORES with llama.cpp at the default
# `balanced` level, checked and repaired: zh->en chrF 51.2, en->zh chrF 22.9; at `fast` they were 46.2 and 26.7:
# on 12 sentences one bad item moves chrF by several points); a drop below them fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.eval-cache/smoke
summarizer eval --task summarization --data lcsts --engine extractive --out "$out" --fail-under rougeL=22.8
summarizer eval --task translation --data flores-zh-en --limit 12 --engine auto --out "$out" --fail-under chrF=40
summarizer eval --task translation --data flores-en-zh --limit 12 --engine auto --out "$out" --fail-under chrF=20
