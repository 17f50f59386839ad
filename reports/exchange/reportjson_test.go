package exchange

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"einordnung/reports"
)

func TestWriteReportJSON(t *testing.T) {
	s, inst, c := xlsxFixture(t)
	rep, err := reports.Build(s, inst, c)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteReportJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "{\n  \"") || !strings.HasSuffix(out, "\n}\n") {
		t.Errorf("report.json is not an object indented by two spaces with a final line break:\n%s", out)
	}
	want, err := json.MarshalIndent(rep.Report, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want)+"\n" {
		t.Errorf("report.json:\n%s\nwant:\n%s", out, want)
	}
}
