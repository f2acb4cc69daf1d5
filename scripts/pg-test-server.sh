#!/usr/bin/env bash
# pg-test-server.sh starts a throw-away PostgreSQL server for dudao's tests and
# prints the line that points the tests at it:
#
#	eval "$(scripts/pg-test-server.sh)"     # export DUDAO_TEST_POSTGRES=postgres://…
#	go test ./internal/store/...
#	scripts/pg-test-server.sh stop
#
# Sub-commands: start (the default), stop, status. start is idempotent: when
# the server is already running it prints the same line again.
#
# On a fresh Debian machine run as root, it installs PostgreSQL first
# (apt-get install postgresql). The server runs as an unprivileged user
# (postgres, created by the package, or dudao-pg otherwise) from a data
# directory under $DUDAO_PG_DIR (default /tmp/dudao-pg-test), listens on
# 127.0.0.1 on a free port, trusts every local connection and runs with
# fsync off: it is for tests only and holds nothing worth keeping.
set -euo pipefail

dir=${DUDAO_PG_DIR:-/tmp/dudao-pg-test}
data=$dir/data

log() { echo "pg-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

# bindir finds the newest installed PostgreSQL's programs.
bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return
		fi
	done
	if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v pg_ctl)"
	fi
}

install_postgres() {
	[ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run as root to install it, or apt-get install postgresql"
	log "installing PostgreSQL (apt-get install postgresql)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2
	apt-get install -y --no-install-recommends postgresql >&2
}

# as runs a command as the server's user.
as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

pick_user() {
	if [ "$(id -u)" != 0 ]; then
		user=$(id -un)
	elif id postgres >/dev/null 2>&1; then
		user=postgres
	else
		if ! id dudao-pg >/dev/null 2>&1; then
			log "creating user dudao-pg"
			useradd --system --no-create-home --shell /usr/sbin/nologin dudao-pg
		fi
		user=dudao-pg
	fi
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port prints a free TCP port on 127.0.0.1, tried from a random start
# (bash's /dev/tcp: a fresh Debian has bash but not always python3 or ss).
free_port() {
	local p=$((40000 + RANDOM % 20000))
	while ! port_free "$p"; do p=$((p + 1)); done
	echo "$p"
}

running() {
	[ -f "$data/postmaster.pid" ] && [ -f "$dir/url" ] && as "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start() {
	bin=$(bindir)
	if [ -z "$bin" ]; then
		install_postgres
		bin=$(bindir)
		[ -n "$bin" ] || die "PostgreSQL was installed but initdb/pg_ctl were not found"
	fi
	pick_user
	if running; then
		echo "export DUDAO_TEST_POSTGRES=$(cat "$dir/url")"
		return
	fi
	# A data directory left by a crash or a reboot is thrown away.
	if [ -d "$data" ]; then
		as "$bin/pg_ctl" -D "$data" stop -m immediate >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 700 "$dir"
	[ "$(id -u)" = 0 ] && chown "$user" "$dir"
	log "initdb in $data as $user ($bin)"
	as "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
		as "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
		die "initdb failed; see $dir/initdb.log"
	port=$(free_port)
	log "starting on 127.0.0.1:$port"
	as "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >&2 || die "the server did not start; see $dir/server.log"
	url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	echo "$url" >"$dir/url"
	echo "export DUDAO_TEST_POSTGRES=$url"
}

stop() {
	bin=$(bindir)
	[ -n "$bin" ] || { log "PostgreSQL is not installed; nothing to stop"; return; }
	pick_user
	if [ -d "$data" ]; then
		as "$bin/pg_ctl" -D "$data" stop -m fast -w >&2 || true
	fi
	rm -rf "$dir"
	log "stopped"
}

status() {
	bin=$(bindir)
	[ -n "$bin" ] || die "PostgreSQL is not installed"
	pick_user
	if running; then
		echo "running: $(cat "$dir/url")"
	else
		echo "not running"
		exit 3
	fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
status) status ;;
*) die "usage: $0 [start|stop|status]" ;;
esac
