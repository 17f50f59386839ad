package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"einordnung/db"
)

// TestEveryTextExistsInBothLanguages finds every message key the templates
// and handlers use and checks it has a German and an English text, so no
// page shows an empty label in either language.
func TestEveryTextExistsInBothLanguages(t *testing.T) {
	used := map[string]bool{}
	inTemplates := regexp.MustCompile(`\.T\.([a-z_]+)`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templateFS, path)
		for _, m := range inTemplates.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	inCode := regexp.MustCompile(`"((?:err|start|consent|code|returncode|survey|feedback|delete|privacy|wave|admin|report|compare|import|audit|notice|operator|record|rights|instruments?|preview|quality)_[a-z_]*)"`)
	sources, _ := filepath.Glob("*.go")
	for _, file := range sources {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inCode.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = true
		}
	}
	// Keys built at run time.
	delete(used, "wave_")
	delete(used, "admin_role_")
	delete(used, "audit_")
	delete(used, "operator_field_")
	for _, prefix := range consentWordingPrefixes {
		delete(used, prefix)
	}
	for _, action := range db.AuditActions {
		used["audit_"+action] = true
	}
	delete(used, "report_download_")
	for _, f := range exportFormats {
		used["report_download_"+f.name] = true
	}
	for _, k := range []string{"wave_pre", "wave_post", "wave_then", "survey_true", "survey_false"} {
		used[k] = true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys: the scan is broken", len(used))
	}
	for key := range used {
		for _, lang := range []string{"de", "en"} {
			if strings.TrimSpace(messages[lang][key]) == "" {
				t.Errorf("message %q has no %s text", key, lang)
			}
		}
	}
	for key := range messages["de"] {
		if !used[key] {
			t.Errorf("message %q is defined but never used", key)
		}
	}
}
