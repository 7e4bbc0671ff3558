#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: the service's own role and database
# (Temporal's databases are created by the temporal-schema job). The password comes from the
# environment and is passed as a psql variable, never written into a file.
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$APP_DB_PASSWORD" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE universign LOGIN PASSWORD :'app_password';
CREATE DATABASE universign OWNER universign;
SQL
