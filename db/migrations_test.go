package db_test

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// TestMigrationsMatchModels opens a fresh database the normal way, through
// the migrations, and compares its schema with what AutoMigrate makes of
// today's models. A model changed without a migration that makes the same
// change fails here (on SQLite, which keeps every string as text, a changed
// size shows only in the PostgreSQL pass).
func TestMigrationsMatchModels(t *testing.T) {
	_, migrated := dbtest.Open(t)
	models := dbtest.DSN(t)
	if err := db.AutoMigrateModels(models); err != nil {
		t.Fatalf("AutoMigrate of the models: %v", err)
	}
	got, want := describeSchema(t, migrated), describeSchema(t, models)
	if len(want) == 0 {
		t.Fatal("the models' schema reads as empty")
	}
	if missing, extra := setDiff(want, got), setDiff(got, want); len(missing)+len(extra) > 0 {
		t.Errorf("the migrations' schema differs from the models' (add a migration for the model change):\n"+
			"only from the models:\n\t%s\nonly from the migrations:\n\t%s",
			strings.Join(missing, "\n\t"), strings.Join(extra, "\n\t"))
	}
}

// TestOpenLeavesCurrentSchemaAlone opens a database that an earlier build
// brought to the current version (its migrations ran AutoMigrate on the
// models): no step runs again, and the schema stays as it was.
func TestOpenLeavesCurrentSchemaAlone(t *testing.T) {
	dsn := dbtest.DSN(t)
	if err := db.AutoMigrateModels(dsn); err != nil {
		t.Fatalf("AutoMigrate of the models: %v", err)
	}
	raw := rawDB(t, dsn)
	applied := func() []string {
		rows, err := raw.Query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatalf("read schema_migrations: %v", err)
		}
		return scanStrings(t, rows)
	}
	schemaBefore, appliedBefore := describeSchema(t, dsn), applied()
	s, err := db.Open(dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	if after := applied(); !slices.Equal(after, appliedBefore) {
		t.Errorf("schema_migrations changed on open:\nbefore %v\nafter  %v", appliedBefore, after)
	}
	schemaAfter := describeSchema(t, dsn)
	if gone, added := setDiff(schemaBefore, schemaAfter), setDiff(schemaAfter, schemaBefore); len(gone)+len(added) > 0 {
		t.Errorf("open changed the schema:\ngone:\n\t%s\nadded:\n\t%s",
			strings.Join(gone, "\n\t"), strings.Join(added, "\n\t"))
	}
}

// describeSchema lists what makes up the schema of the database dsn, one
// fact a line, sorted: every column with its type, nullability and default,
// every index, key and constraint with its definition. The order of a
// table's columns is left out: a column a later migration added stands
// last, which no query here depends on.
func describeSchema(t *testing.T, dsn string) []string {
	t.Helper()
	raw := dbtest.PlainReadOnly(t, dsn)
	var facts []string
	if db.IsPostgres(dsn) {
		queries := []string{
			`SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type ||
				COALESCE('(' || character_maximum_length || ')', '') ||
				CASE is_nullable WHEN 'NO' THEN ' NOT NULL' ELSE '' END ||
				COALESCE(' DEFAULT ' || column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema()`,
			`SELECT 'index ' || tablename || ': ' || indexdef
			FROM pg_indexes WHERE schemaname = current_schema()`,
			`SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`,
			`SELECT 'sequence ' || sequence_name || ' ' || data_type
			FROM information_schema.sequences WHERE sequence_schema = current_schema()`,
			`SELECT 'sequence ' || s.relname || ' owned by ' || t.relname || '.' || a.attname
			FROM pg_class s
			JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'a'
			JOIN pg_class t ON t.oid = d.refobjid
			JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
			WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace`,
		}
		for _, q := range queries {
			rows, err := raw.Query(q)
			if err != nil {
				t.Fatalf("read schema: %v", err)
			}
			facts = append(facts, scanStrings(t, rows)...)
		}
	} else {
		// SQLite keeps each table and index as the SQL that made it, with
		// the definitions that ALTER TABLE added appended to the table's.
		rows, err := raw.Query("SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master")
		if err != nil {
			t.Fatalf("read schema: %v", err)
		}
		defer rows.Close()
		for rows.Next() {
			var kind, name, table, text string
			if err := rows.Scan(&kind, &name, &table, &text); err != nil {
				t.Fatalf("read schema: %v", err)
			}
			if kind != "table" {
				facts = append(facts, fmt.Sprintf("%s %s on %s: %s", kind, name, table, text))
				continue
			}
			defs, err := tableDefinitions(text)
			if err != nil {
				t.Fatalf("table %s: %v", name, err)
			}
			facts = append(facts, "table "+name)
			for _, d := range defs {
				facts = append(facts, name+": "+d)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read schema: %v", err)
		}
	}
	slices.Sort(facts)
	return facts
}

var createTable = regexp.MustCompile(`(?s)^CREATE TABLE [^(]+\((.*)\)$`)

// tableDefinitions splits SQLite's CREATE TABLE text into its column and
// constraint definitions, at the commas outside parentheses and quotes.
func tableDefinitions(text string) ([]string, error) {
	m := createTable.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return nil, fmt.Errorf("not a CREATE TABLE statement: %s", text)
	}
	var defs []string
	depth, quote, start := 0, rune(0), 0
	body := m[1]
	for i, r := range body {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '`' || r == '"' || r == '\'':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			defs = append(defs, strings.TrimSpace(body[start:i]))
			start = i + 1
		}
	}
	if depth != 0 || quote != 0 {
		return nil, fmt.Errorf("unbalanced CREATE TABLE statement: %s", text)
	}
	return append(defs, strings.TrimSpace(body[start:])), nil
}

func scanStrings(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	var out []string
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// setDiff returns the lines of a (sorted) that b lacks.
func setDiff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}
