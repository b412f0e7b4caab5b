# Lines for .ci/run (issue 20): a real PostgreSQL for the store tests, on 127.0.0.1 only.
# Run as root before pytest. Debian's postgresql package creates the cluster 15/main (or the
# distribution's current version) without starting it in a container; pg_ctlcluster starts it.
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql postgresql-contrib
PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
pg_lsclusters -h | grep -q "^$PGVER main" || pg_createcluster "$PGVER" main
pg_ctlcluster "$PGVER" main status >/dev/null 2>&1 || pg_ctlcluster "$PGVER" main start
# listen only on loopback (the default listen_addresses is 'localhost')
su postgres -c "psql -v ON_ERROR_STOP=1 -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'storyline') THEN CREATE ROLE storyline LOGIN PASSWORD 'storyline'; END IF; END \\\$\\\$\""
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'storyline_test'\" | grep -q 1 || createdb -O storyline storyline_test"
export STORYLINE_TEST_PG=postgresql://storyline:storyline@127.0.0.1:5432/storyline_test
# The PostgreSQL-parametrized tests skip when STORYLINE_TEST_PG is unset; in CI it is set, so a
# skip there means a broken setup: fail on it, e.g.
#   pytest -q -rs | tee /tmp/pytest.log; ! grep -q "STORYLINE_TEST_PG is not set" /tmp/pytest.log
