# Sourced by the collector benches: builds the collector and the bench
# ($BENCH_PROFILE, default release), starts a throwaway PostgreSQL (durable:
# fsync on, unlike the test suite's; its defaults but for $PG_OPTS, e.g.
# PG_OPTS='-c max_wal_size=8GB') and stops it by pid on exit. Sets BIN
# (the build folder), PG_URL and WORK. PG_LOG_KEEP=FILE keeps its log
# (its checkpoints are logged).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
need_apt postgresql
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

PROFILE=${BENCH_PROFILE:-release}
BIN=target/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
log "building the collector and the bench ($PROFILE)"
cargo build --profile "$PROFILE" -p consent-collector -p consent-bench-collector

# Under $TMPDIR (default /tmp): TMPDIR=/dev/shm puts both databases in
# memory, to tell the collector's own tail from the disk's.
WORK=$(mktemp -d -t bench-collector.XXXXXX)
PG_PID=
cleanup() {
  if [ -n "$PG_PID" ]; then
    kill -INT "$PG_PID" 2>/dev/null || true # PostgreSQL's fast shutdown
    for _ in $(seq 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -n "${PG_LOG_KEEP:-}" ]; then cp "$WORK/pg.log" "$PG_LOG_KEEP" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

chown postgres "$WORK"
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
su postgres -c "$PGBIN/initdb -D $WORK/pg -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $WORK/pg -w -o '-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_OPTS:-}' -l $WORK/pg.log start" >/dev/null
PG_PID=$(head -n 1 "$WORK/pg/postmaster.pid")
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
log "postgresql pid $PG_PID on port $PG_PORT"
