#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the PostgreSQL store.
#
# Usage: scripts/pg.sh start|stop|url [DIR]
#   start  create a cluster in DIR, start it, create the database bonsign_test,
#          and print its URL (what BONSIGN_TEST_POSTGRES and -db take)
#   url    print the URL of the cluster in DIR
#   stop   stop the cluster in DIR and remove DIR
#
# DIR defaults to $BONSIGN_PG_DIR, else ${TMPDIR:-/tmp}/bonsign-pg-$(id -un); it
# must be new or empty at start. The cluster uses Debian's binaries
# (/usr/lib/postgresql/<newest version>/bin, or $PG_BIN) and listens on no TCP port
# at all: only on a unix socket inside DIR, so parallel runs never collide, and
# it trusts every connection that can reach that socket. PostgreSQL refuses to run
# as root, so under root (CI) the cluster belongs to an unprivileged user:
# "postgres" from Debian's package, else "bonsign-pg", created here. Needs no
# stdin.
set -euo pipefail

cmd=${1:-}
dir=${2:-${BONSIGN_PG_DIR:-${TMPDIR:-/tmp}/bonsign-pg-$(id -un)}}
case $dir in
/*) ;;
*) dir=$PWD/$dir ;; # the commands run from inside it
esac
db=bonsign_test
superuser=postgres
port=5432 # only names the socket file: there is no TCP listener

die() {
	echo "pg.sh: $*" >&2
	exit 1
}

url() {
	echo "postgres:///$db?host=$dir/socket&port=$port&user=$superuser&sslmode=disable"
}

pgbin() {
	if [ -n "${PG_BIN:-}" ]; then
		echo "$PG_BIN"
		return
	fi
	local v
	v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
	[ -n "$v" ] && [ -x "/usr/lib/postgresql/$v/bin/initdb" ] ||
		die "no PostgreSQL in /usr/lib/postgresql; install it: apt-get install -y --no-install-recommends postgresql (or set PG_BIN)"
	echo "/usr/lib/postgresql/$v/bin"
}

# owner prints the user the cluster runs as, creating it when needed.
owner() {
	if [ "$(id -u)" -ne 0 ]; then
		id -un
	elif id -u postgres >/dev/null 2>&1; then
		echo postgres
	else
		id -u bonsign-pg >/dev/null 2>&1 ||
			useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bonsign-pg >&2
		echo bonsign-pg
	fi
}

# as runs a command as the cluster's owner, from inside DIR (the owner may not
# be allowed into the current directory).
as() {
	local user=$1
	shift
	if [ "$user" = "$(id -un)" ]; then
		(cd "$dir" && "$@")
	elif command -v runuser >/dev/null; then
		(cd "$dir" && runuser -u "$user" -- "$@")
	else
		(cd "$dir" && su -s /bin/sh "$user" -c "$(printf '%q ' "$@")")
	fi
}

start() {
	local bin user
	bin=$(pgbin)
	user=$(owner)
	mkdir -p "$dir"
	[ -z "$(ls -A "$dir")" ] || die "$dir is not empty (a cluster already there? scripts/pg.sh stop $dir)"
	mkdir "$dir/socket"
	chown -R "$user" "$dir"
	chmod 0755 "$dir" "$dir/socket"
	# --no-sync: the cluster is thrown away; the server itself keeps fsync on,
	# as in production.
	as "$user" "$bin/initdb" --pgdata="$dir/data" --username="$superuser" --auth=trust \
		--encoding=UTF8 --no-locale --no-instructions --no-sync >"$dir/initdb.log" 2>&1 ||
		die "initdb failed: $(cat "$dir/initdb.log")"
	cat >>"$dir/data/postgresql.conf" <<-EOF
		# scripts/pg.sh: a private test server on a socket in $dir/socket
		listen_addresses = ''
		unix_socket_directories = '$dir/socket'
		port = $port
		max_connections = 200
	EOF
	as "$user" "$bin/pg_ctl" start --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 --silent ||
		die "the server did not start: $(tail -n 20 "$dir/server.log" 2>/dev/null)"
	as "$user" "$bin/createdb" --host="$dir/socket" --port=$port --username="$superuser" "$db"
	url
}

stop() {
	[ -d "$dir" ] || return 0
	if [ -f "$dir/data/postmaster.pid" ]; then
		# immediate: no shutdown checkpoint for data about to be removed.
		as "$(stat -c %U "$dir/data")" "$(pgbin)/pg_ctl" stop --pgdata="$dir/data" --mode=immediate --wait --silent ||
			echo "pg.sh: pg_ctl stop failed; removing $dir anyway" >&2
	fi
	rm -rf "$dir"
}

case $cmd in
start) start ;;
stop) stop ;;
url) url ;;
*)
	echo "usage: scripts/pg.sh start|stop|url [DIR]" >&2
	exit 2
	;;
esac
