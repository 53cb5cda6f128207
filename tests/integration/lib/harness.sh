# harness.sh - shared by the integration tests (sourced).
#
# Each test script starts real daemons on loopback in a temporary
# CORRAL_HOME, drives them with the real commands and prints TAP.
#   BUILD_DIR   build directory (default: build)
#   KEEP=1      keep CORRAL_HOME (logs, database) even when tests pass
#   VERBOSE=1   echo commands' output
#   VALGRIND=1  run the daemons (server, node daemons, schedulers) under
#               valgrind memcheck; any error or definite leak fails the test
# Every daemon started here is stopped by pid when the script exits.

set -u
: "${BUILD_DIR:=build}"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
BIN=$BUILD_DIR/bin
TBIN=$BUILD_DIR/tests
export PATH="$BIN:$TBIN:$PATH"
export CORRAL_PORT=0
# The server starts no scheduler unless a test asks for one (start_sched,
# or CORRAL_SCHED_EXE set before sourcing this file): tests that place jobs
# with qrun must not race a scheduler.
export CORRAL_SCHED_EXE=${CORRAL_SCHED_EXE:-none}
export CORRAL_HOME
CORRAL_HOME=$(mktemp -d "${TMPDIR:-/tmp}/corral-test.XXXXXX")
chmod 755 "$CORRAL_HOME"

_t_count=0
_t_failed=0
_pids=()

# valgrind: a wrapper command in front of every daemon.
VG=()
if [ "${VALGRIND:-0}" = 1 ]; then
	VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
	    --errors-for-leak-kinds=definite --num-callers=30
	    "--log-file=$CORRAL_HOME/valgrind-%p.log")
	if [ "$CORRAL_SCHED_EXE" != none ]; then
		printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${VG[*]}" "$CORRAL_SCHED_EXE" \
			>"$CORRAL_HOME/sched-under-valgrind"
		chmod 755 "$CORRAL_HOME/sched-under-valgrind"
		CORRAL_SCHED_EXE=$CORRAL_HOME/sched-under-valgrind
	fi
fi

ok() { # ok COND-STATUS DESCRIPTION
	local st=$1
	shift
	_t_count=$((_t_count + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $_t_count - $*"
	else
		echo "not ok $_t_count - $*"
		_t_failed=$((_t_failed + 1))
	fi
}

check() { # check DESCRIPTION -- command...   (passes when the command succeeds)
	local desc=$1
	shift
	[ "$1" = "--" ] && shift
	local out
	if out=$("$@" 2>&1); then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		echo "$out" | sed 's/^/#   /' | head -20
	fi
	[ "${VERBOSE:-0}" = 1 ] && echo "$out" | sed 's/^/# | /'
	return 0
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

wait_for() { # wait_for SECONDS command...  (polls every 0.1 s)
	local limit=$1
	shift
	local i=0 n=$((limit * 10))
	[ ${#VG[@]} -gt 0 ] && n=$((n * 3)) # everything is slower under valgrind
	while [ $i -lt $n ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

server_pid() { cat "$CORRAL_HOME/run/server.pid" 2>/dev/null; }
server_port() { cat "$CORRAL_HOME/run/server.port" 2>/dev/null; }

start_server() { # start_server [extra args]
	rm -f "$CORRAL_HOME/run/server.port"
	"${VG[@]}" "$BIN/corral-server" --log "$CORRAL_HOME/server.log" "$@" 2>>"$CORRAL_HOME/daemons.stderr" &
	local pid=$!
	_pids+=("$pid")
	if ! wait_for 20 corral status; then
		echo "# server did not start; log:"
		sed 's/^/#   /' "$CORRAL_HOME/server.log" | tail -20
		return 1
	fi
	SERVER_PID=$pid
}

stop_server() { # graceful stop, waits for exit
	local pid=${SERVER_PID:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	local i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	wait "$pid" 2>/dev/null
	SERVER_PID=
}

kill9_server() {
	local pid=${SERVER_PID:-}
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	SERVER_PID=
}

# start_node NAME [extra corral-node args]: a node daemon on loopback.
# Sets NODE_PID (also NODE_PIDS[NAME]).
declare -A NODE_PIDS
start_node() {
	local name=$1
	shift
	"${VG[@]}" "$BIN/corral-node" --server 127.0.0.1 --name "$name" \
		--log "$CORRAL_HOME/node-$name.log" "$@" 2>>"$CORRAL_HOME/daemons.stderr" &
	NODE_PID=$!
	NODE_PIDS[$name]=$NODE_PID
	_pids+=("$NODE_PID")
}

# start_sched [NAME]: a scheduler process started by the test itself.
start_sched() {
	local name=${1:-default}
	"${VG[@]}" "$BIN/corral-sched" --name "$name" --server 127.0.0.1 \
		--log "$CORRAL_HOME/sched-$name.log" 2>>"$CORRAL_HOME/daemons.stderr" &
	SCHED_PID=$!
	_pids+=("$SCHED_PID")
}

stop_node() { # stop_node NAME [SIGNAL]
	local pid=${NODE_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	local i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	wait "$pid" 2>/dev/null
	NODE_PIDS[$1]=
}

node_state() { # node_state VNODE -> the state line's value
	pbsnodes "$1" 2>/dev/null | sed -n 's/^ *state = //p'
}

job_attr() { # job_attr ID ATTR -> value (history included)
	qstat -x -f "$1" 2>/dev/null | sed -n "s/^    $2 = //p"
}

job_state() { job_attr "$1" job_state; }

_cleanup() {
	for p in "${_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${_pids[@]}"; do
		local i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$_t_failed" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
		rm -rf "$CORRAL_HOME"
	else
		echo "# state kept in $CORRAL_HOME"
	fi
}
trap _cleanup EXIT

done_testing() {
	# Sanitizer builds: any report from a daemon fails the test.
	local p
	for p in "${_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${_pids[@]}"; do
		local i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
	if [ ${#VG[@]} -gt 0 ]; then
		# valgrind logs hold something only when it found a problem
		local f bad=0
		for f in "$CORRAL_HOME"/valgrind-*.log; do
			[ -s "$f" ] || continue
			bad=1
			echo "# $f:"
			head -60 "$f" | sed 's/^/#   /'
		done
		ok $bad "no valgrind errors or definite leaks in the daemons"
	fi
	if grep -qE "Sanitizer|runtime error" "$CORRAL_HOME/daemons.stderr" 2>/dev/null; then
		ok 1 "no sanitizer reports from the daemons"
		grep -E -A12 "Sanitizer|runtime error" "$CORRAL_HOME/daemons.stderr" | head -40 | sed 's/^/#   /'
	fi
	echo "1..$_t_count"
	[ "$_t_failed" -eq 0 ]
	exit $?
}

# A second, unprivileged local user for authority tests (root only).
test_user() {
	local u=corraltest
	if [ "$(id -u)" -ne 0 ]; then
		return 1
	fi
	id "$u" >/dev/null 2>&1 || useradd -m -s /bin/sh "$u" >/dev/null 2>&1 || return 1
	local home
	home=$(getent passwd "$u" | cut -d: -f6)
	if [ -n "$home" ] && [ ! -d "$home" ]; then
		mkdir -p "$home" && chown "$u:$(id -g "$u")" "$home"
	fi
	echo "$u"
}

as_user() { # as_user USER command...  (keeps CORRAL_HOME and PATH)
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env CORRAL_HOME="$CORRAL_HOME" PATH="$PATH" HOME=/tmp "$@"
}
