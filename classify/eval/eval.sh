#!/bin/sh
# eval.sh trains the text models on the train splits of the shared corpora,
# evaluates them and a scikit-learn TF-IDF + logistic-regression baseline on
# the same dev splits, runs the text benchmarks and writes docs/classifier.md.
#
# Usage (from the repository root, as `make eval` does):
#   classify/eval/eval.sh [DATA_DIR]      DATA_DIR defaults to ../shared/data
set -eu

DATA=${1:-../shared/data}
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

go build -o "$TMP/vigia" ./cmd/vigia
echo "training on the train splits (fixed seeds)..." >&2
"$TMP/vigia" train --data "$DATA" --out "$TMP/models" --holdout --splits "$TMP/splits" >"$TMP/train.log"

printf 'task\tlang\tdata\tlabel\tsplit\ttrain_rows\tdev_rows\tours\tbaseline\tours_f1_1\tbaseline_f1_1\n' >"$TMP/results.tsv"
tail -n +2 "$TMP/splits/manifest.tsv" | while IFS="$(printf '\t')" read -r task lang data label split train dev ntrain ndev; do
	echo "evaluating $task $lang $data..." >&2
	"$TMP/vigia" eval --task "$task" --lang "$lang" --data "$TMP/splits/$dev" --models "$TMP/models" >"$TMP/ours.txt"
	"$PY" classify/eval/baseline.py "$TMP/splits/$train" "$TMP/splits/$dev" >"$TMP/base.txt"
	ours=$(sed -n 's/^macro_f1=//p' "$TMP/ours.txt")
	base=$(sed -n 's/^macro_f1=//p' "$TMP/base.txt")
	ours1=$(awk '$1 == "1" && NF == 5 { print $4; exit }' "$TMP/ours.txt")
	base1=$(sed -n 's/^f1_1=//p' "$TMP/base.txt")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$task" "$lang" "$data" "$label" "$split" "$ntrain" "$ndev" "$ours" "$base" "${ours1:--}" "${base1:--}" >>"$TMP/results.tsv"
done

echo "benchmarking..." >&2
go test -run '^$' -bench 'BenchmarkAnalyze$|BenchmarkPredict$|BenchmarkAnalyzePredictAll$' -benchmem -cpu 1 -count 5 ./classify/text >"$TMP/bench.txt"
go test -run '^$' -bench 'BenchmarkClassify$' -benchmem -cpu 1 -count 5 ./classify >>"$TMP/bench.txt"

"$PY" classify/eval/report.py "$TMP/results.tsv" "$TMP/bench.txt" "$TMP/models" classify/models "$TMP/train.log" >docs/classifier.md
cat "$TMP/results.tsv" >&2
echo "wrote docs/classifier.md" >&2
