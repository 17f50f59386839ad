package db_test

import (
	"maps"
	"testing"

	"einordnung/db"
)

func TestAuditFields(t *testing.T) {
	tests := []struct {
		detail string
		want   map[string]string
	}{
		{`name="Jahrgang \"26\" = neu" instrument=einordnung@1`, map[string]string{"name": `Jahrgang "26" = neu`, "instrument": "einordnung@1"}},
		{"wave=pre open=true starts= ends=", map[string]string{"wave": "pre", "open": "true", "starts": "", "ends": ""}},
		{"role=admin (first start)", map[string]string{"role": "admin"}},
		{"12 responses from a b=c.csv", map[string]string{"b": "c.csv"}},
		{"", map[string]string{}},
	}
	for _, tt := range tests {
		if got := db.AuditFields(tt.detail); !maps.Equal(got, tt.want) {
			t.Errorf("AuditFields(%q) = %q, want %q", tt.detail, got, tt.want)
		}
	}
	if got := db.AuditFields(db.WaveChangeDetail(db.Post, false)); got["wave"] != "post" || got["open"] != "false" {
		t.Errorf("WaveChangeDetail reads back as %q", got)
	}
}
