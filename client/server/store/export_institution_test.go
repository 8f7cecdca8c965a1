package store

// For the external test of the migration to schema version 2.
var PostgresVersion1 = postgresSchema[0]
