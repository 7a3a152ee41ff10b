#!/usr/bin/env bash
# Compares one LeNet-5 (and MLP) training step, batch 64, float32, between
# tanren (go test -bench) and PyTorch (bench/torch_step.py, best of 1 and 2
# threads) in the same run, alternating, REPS times, and prints the medians
# and the ratio tanren/PyTorch.
#
#   bash bench/lenet_step.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
py=/usr/bin/python3
go test -c -o /tmp/tanren-zoo.test ./zoo >/dev/null
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for model in lenet5 mlp; do
	bench=LeNet5TrainStep
	[ "$model" = mlp ] && bench=MLPTrainStep
	: >/tmp/tanren.$model; : >/tmp/torch.$model
	for _ in $(seq "$reps"); do
		/tmp/tanren-zoo.test -test.run XXX -test.bench "^Benchmark$bench\$" -test.benchtime 3s |
			awk '/images\/s/ {for (i=1;i<=NF;i++) if ($(i+1)=="images/s") print $i}' >>/tmp/tanren.$model
		(cd bench && $py torch_step.py --model "$model" --batch 64) >>/tmp/torch.$model
	done
	t=$(median </tmp/tanren.$model); p=$(median </tmp/torch.$model)
	printf '%-7s training step, batch 64: tanren %8.0f images/s, PyTorch %8.0f images/s, ratio %.3f (medians of %d)\n' \
		"$model" "$t" "$p" "$(echo "$t / $p" | bc -l)" "$reps"
done
