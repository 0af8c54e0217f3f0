#!/bin/bash
# The CPU early-abort vs FCFS runs of docs/benchmarks.md: OUT=<folder> bash docs/benchmarks/2026-11-29-cpu-abort/run.sh
OUT=${OUT:-cpu-abort-out}; mkdir -p "$OUT"
B=${SLORA:-.build/release/slora}
for cv in 1 2 4 8; do
  for policy in abort fcfs; do
    extra=""; [ $policy = abort ] && extra="--early-abort"
    $B bench serve --device cpu --dummy-model tiny --adapters 200 --rank-set S2 --rate 20 --cv $cv --duration 30 --slo 6 --max-running 64 --no-progress $extra --output $OUT/$policy-cv$cv.json > $OUT/$policy-cv$cv.log 2>&1
    echo "$policy cv$cv rc $?" >> $OUT/status.txt
  done
done
