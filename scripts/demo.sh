#!/usr/bin/env bash
# demo.sh BUILD_DIR - submit a demo job to the running cluster, run it and
# show its output.  (qrun places it until a scheduler runs the cluster.)
set -u
bin=$(cd "${1:-build}/bin" && pwd)
out="$CORRAL_HOME/demo.out"
rm -f "$out"
cd /tmp || exit 1
id=$(printf '#!/bin/sh\n#PBS -N demo\necho "hello from corral: job $PBS_JOBID on $(hostname)"\n' |
	"$bin/qsub" -j oe -o "$out") || exit 1
echo "demo: submitted $id"
for i in $(seq 100); do
	st=$("$bin/qstat" -x -f "$id" 2>/dev/null | sed -n 's/^    job_state = //p')
	[ "$st" = F ] && break
	# No scheduler picked it up within 2 s: start it by hand.
	[ "$i" = 20 ] && [ "$st" = Q ] && "$bin/qrun" "$id" 2>/dev/null
	sleep 0.1
done
"$bin/qstat" -x "$id"
[ -f "$out" ] && { echo "demo: output of $id:"; cat "$out"; }
exit 0
