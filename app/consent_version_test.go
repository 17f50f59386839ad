package app

import (
	"bytes"
	"testing"
)

// TestConsentVersionFollowsTheWording: the version stored with a response
// must change when the text a participant consented to is reworded, without
// anyone remembering to bump a constant. So every consent and notice
// message, in both languages, and the templates are part of its hash.
func TestConsentVersionFollowsTheWording(t *testing.T) {
	for _, key := range []string{"consent_what_code", "notice_what_return_code", "rights_rectification", "privacy_cookies"} {
		for _, lang := range []string{"de", "en"} {
			text := messages[lang][key]
			if text == "" {
				t.Fatalf("message %s has no %s text", key, lang)
			}
			if !bytes.Contains(consentWording, []byte(text)) {
				t.Errorf("the consent version does not follow the %s wording of %s", lang, key)
			}
		}
	}
	notice, err := templateFS.ReadFile("templates/partials/notice.html")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(consentWording, notice) {
		t.Error("the consent version does not follow the notice template")
	}
}
