# shellcheck shell=bash
# Sourced by .ci/run: a Redis and a PostgreSQL for the model server's backend tests, on 127.0.0.1,
# in a temp dir, started before the tests and stopped at exit (also when a test fails).
# Exports PROGNOS_TEST_REDIS_URL and PROGNOS_TEST_POSTGRES_URL (test/helpers/real-servers.ts).
# Tests that stop a server (the outage tests) start private instances of their own; these two stay up.

backends_dir=""
pg_bin=""

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start_test_backends() {
  backends_dir=$(mktemp -d /tmp/prognos-ci-backends.XXXXXX)
  chmod 755 "$backends_dir"

  # Redis: a free port, a temp dir, no persistence
  local redis_port
  redis_port=$(free_port)
  mkdir "$backends_dir/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$backends_dir/redis" --save '' --appendonly no \
    --daemonize yes --pidfile "$backends_dir/redis/redis.pid" --logfile "$backends_dir/redis/redis.log"
  local i
  for i in $(seq 1 100); do
    [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
    [ "$i" = 100 ] && { echo "redis-server did not start:" >&2; cat "$backends_dir/redis/redis.log" >&2; return 1; }
    sleep 0.1
  done
  export PROGNOS_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"

  # PostgreSQL: a cluster of its own in the temp dir, run as the postgres user (it refuses root);
  # password login over TCP for the test role, which may create the tests' throwaway databases
  pg_bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -1)
  local pg_port pw
  pg_port=$(free_port)
  pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mkdir -p "$backends_dir/pg/sock"
  chown -R postgres:postgres "$backends_dir/pg"
  runuser -u postgres -- "$pg_bin/initdb" -D "$backends_dir/pg/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --no-instructions > /dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$backends_dir/pg/data" -l "$backends_dir/pg/postgres.log" -w -t 60 \
    -o "-p $pg_port -k $backends_dir/pg/sock -c listen_addresses=127.0.0.1" start > /dev/null
  runuser -u postgres -- "$pg_bin/psql" -h "$backends_dir/pg/sock" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE prognos_test LOGIN CREATEDB PASSWORD '$pw'" -c "CREATE DATABASE prognos_test OWNER prognos_test"
  export PROGNOS_TEST_POSTGRES_URL="postgres://prognos_test:$pw@127.0.0.1:$pg_port/prognos_test"
}

stop_test_backends() {
  [ -n "$backends_dir" ] || return 0
  if [ -f "$backends_dir/redis/redis.pid" ]; then
    kill "$(cat "$backends_dir/redis/redis.pid")" 2>/dev/null || true
  fi
  if [ -n "$pg_bin" ] && [ -f "$backends_dir/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$backends_dir/pg/data" -m fast -w stop > /dev/null 2>&1 || true
  fi
  rm -rf "$backends_dir"
  backends_dir=""
}
