package store

import "testing"

// TestBackupCommandHasNoPassword: the pg_dump command Backup suggests is
// built from the DSN without its password, in the user part or the query.
func TestBackupCommandHasNoPassword(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://dudao:s3cret@db.example:5432/dudao?sslmode=require": "postgres://dudao@db.example:5432/dudao?sslmode=require",
		"postgresql://db.example/dudao?user=dudao&password=s3cret":      "postgresql://db.example/dudao?user=dudao",
		"postgres://dudao@localhost/dudao":                              "postgres://dudao@localhost/dudao",
	} {
		if got := withoutPassword(dsn); got != want {
			t.Errorf("withoutPassword(%q) = %q, want %q", dsn, got, want)
		}
	}
	s := &Store{dialect: Postgres, pgURL: withoutPassword("postgres://dudao:s3cret@h/dudao")}
	err := s.Backup(t.Context(), "my backup.dump")
	want := "pg_dump --format=custom --file='my backup.dump' 'postgres://dudao@h/dudao'"
	if pe, ok := err.(*PgDumpError); !ok || pe.Command != want {
		t.Fatalf("Backup on PostgreSQL: %v, want the command %s", err, want)
	}
}
