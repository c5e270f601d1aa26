#!/usr/bin/env bash
# Evaluation smoke gate for CI (a few minutes): LCSTS with the extractive engine, and a handful of FLORES
# sentences each way with the offline default model. Thresholds sit a little below what was measured
# (see eval/BASELINES.md and the README); a drop below them fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.eval-cache/smoke
summarizer eval --task summarization --data lcsts --engine extractive --out "$out" --fail-under rougeL=22.8
summarizer eval --task translation --data flores-zh-en --limit 12 --engine auto --out "$out" --fail-under chrF=FLORES_ZH_EN_GATE
summarizer eval --task translation --data flores-en-zh --limit 12 --engine auto --out "$out" --fail-under chrF=FLORES_EN_ZH_GATE
