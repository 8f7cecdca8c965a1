package store

// For the external tests of the PostgreSQL store.
const MigrationLock = migrationLock

var (
	PostgresVersions = len(postgresSchema)
	SQLiteVersions   = len(schema)
)
