#!/usr/bin/env bash
# What make test runs: go vet and go test, with a throwaway PostgreSQL server
# (scripts/pg.sh) for the PostgreSQL store's tests, stopped and removed
# afterwards whether the tests pass or not.
#
# A BONSIGN_TEST_POSTGRES already set is used as is (no server is started).
# Without PostgreSQL installed the tests of the PostgreSQL store are skipped,
# except in CI (CI set), where they fail.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}

if [ -z "${BONSIGN_TEST_POSTGRES:-}" ]; then
	pgdir=$(mktemp -d "${TMPDIR:-/tmp}/bonsign-pg.XXXXXX")
	trap 'bash scripts/pg.sh stop "$pgdir"' EXIT
	trap 'exit 130' INT TERM # run the EXIT trap on Ctrl-C too
	start=$SECONDS
	if url=$(bash scripts/pg.sh start "$pgdir" </dev/null); then
		export BONSIGN_TEST_POSTGRES=$url
		echo "test.sh: PostgreSQL for the tests at $url ($((SECONDS - start))s)" >&2
	else
		echo "test.sh: no PostgreSQL server for the tests; the PostgreSQL store's tests will skip (or fail in CI)" >&2
	fi
fi

"$GO" vet ./...
"$GO" test -count=1 -timeout 20m ./...
