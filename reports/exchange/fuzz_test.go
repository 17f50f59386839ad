package exchange

// FuzzReadLong feeds arbitrary bytes to the CSV import of a cohort, as a
// program lead could upload them. Run it with
//
//	go test ./reports/exchange -run '^$' -fuzz '^FuzzReadLong$' -fuzztime 60s
//
// Crashers are kept in testdata/fuzz/FuzzReadLong/ and run with go test.

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/questions/clean"
	"einordnung/reports/internal/reportstest"
)

func FuzzReadLong(f *testing.F) {
	inst := reportstest.DefaultInstrument(f)
	const head = "cohort,wave,participant,response,submitted_at,item,kind,dimension,value,confidence\r\n"
	const at = "2026-03-01T09:30:00Z"
	good := head +
		"ws26,pre,P1,1," + at + ",und1,rating,understanding,7,\r\n" +
		"ws26,pre,P1,1," + at + ",und2,rating,understanding,,\r\n" +
		"ws26,pre,P1,1," + at + ",k01,knowledge,,true,80\r\n" +
		"ws26,pre,P1,1," + at + ",field,background,,design,\r\n" +
		"ws26,pre,P1,1," + at + ",reflection,text,,\"Ich prüfe \"\"Quellen\"\",\r\nimmer öfter; <script>alert(1)</script>\",\r\n" +
		"ws26,post,P1,2,2026-06-01T10:00:00+02:00,und1,rating,understanding,9,\r\n" +
		"ws26,then,P1,2,2026-06-01T10:00:00+02:00,und1,rating,understanding,4,\r\n" +
		"ws26,pre,'-P2,3," + at + ",expectations,text,,\"'=HYPERLINK(\"\"http://x\"\")\",\r\n" +
		"ws26,pre,'-P2,3," + at + ",reflection,text,,'''+1,\r\n"
	f.Add([]byte(good))
	f.Add([]byte("\xef\xbb\xbf" + strings.ReplaceAll(good, ",", ";")))
	f.Add([]byte(strings.ReplaceAll(good, "\r\n", "\n")))
	for _, s := range []string{
		"",
		"\xef\xbb\xbf",
		head,
		strings.TrimSuffix(head, "\r\n"),
		"cohort;wave\r\n",
		head + "ws26,pre,P1,1," + at + ",und1,rating,understanding,11,\r\n",
		head + "ws26,pre,P1,1," + at + ",und1,rating,understanding,-1,\r\n",
		head + "ws26,pre,P1,1," + at + ",und1,rating,understanding,99999999999999999999,\r\n",
		head + "ws26,pre,P1,1," + at + ",k01,knowledge,,true,\r\n",
		head + "ws26,pre,P1,1," + at + ",k01,knowledge,,vielleicht,49\r\n",
		head + "ws26,then,P1,1," + at + ",und1,rating,understanding,5,\r\n",
		head + "ws26,then,P1,1," + at + ",k01,knowledge,,true,60\r\n",
		head + "ws26,pre,P1,1," + at + ",und1,rating,understanding,5,\r\nws26,pre,P1,1," + at + ",und1,rating,understanding,6,\r\n",
		head + "ws26,pre,P1,1," + at + ",und1,rating,understanding,5,\r\nws26,pre,P1,1,2026-03-01T09:31:00Z,und2,rating,understanding,6,\r\n",
		head + "ss27,pre,P1,1," + at + ",nosuch,rating,understanding,5,\r\n",
		head + "ws26,pre,P1,1,gestern,und1,background,,5,\r\n",
		head + "ws26,pre,P 1,1," + at + ",und1,rating,checking,5,50\r\n",
		head + "ws26,pre,P1,1," + at + ",reflection,text,,\"a\xffb\",\r\n",
		head + "ws26,pre,P1,1," + at + ",reflection,text,,\"unclosed\r\n",
		head + "ws26,pre,P1,1," + at + ",reflection,text,,a\"b,\r\n",
		head + "ws26,pre\r\n",
		head + "ws26,pre,P1,1," + at + ",reflection,text,," + strings.Repeat("ä", 4001) + ",\r\n",
		head + strings.Repeat("x,pre,P1,1,at,nosuch,rating,,,\r\n", 1200),
		head + "'=cmd|' /C calc'!A0,pre,'@P1,1," + at + ",field,background,,'; DROP TABLE answers; --,\r\n",
		head + "ws26,pre,P1,1,9999-12-31T23:59:59+23:59,und1,rating,understanding,0,\r\n",
		head + "ws26,pre,P1,1,2026-03-01T09:30:00.123456789Z,und1,rating,understanding,+5,\r\n",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadLong(bytes.NewReader(data), inst, "ws26")
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("ReadLong: %v, want an *ImportError", err)
			}
			if got != nil {
				t.Fatalf("ReadLong returned %d responses with an error", len(got))
			}
			if len(ie.Problems) == 0 || len(ie.Problems) > MaxImportProblems || ie.Omitted < 0 {
				t.Fatalf("%d problems listed, %d omitted", len(ie.Problems), ie.Omitted)
			}
			for _, p := range ie.Problems {
				if !strings.HasPrefix(p, "Zeile ") || !utf8.ValidString(p) {
					t.Fatalf("problem %q does not start with its line or is not UTF-8", p)
				}
			}
			if msg := ie.Error(); !strings.HasPrefix(msg, "Datei abgelehnt, nichts importiert: ") || !utf8.ValidString(msg) {
				t.Fatalf("message %q", msg)
			}
			return
		}
		checkImported(t, inst, got)

		// What was read, written back as the contract says, reads the same.
		written := writeImported(inst, got)
		again, err := ReadLong(bytes.NewReader(written), inst, "ws26")
		if err != nil {
			t.Fatalf("the accepted responses, written back, are rejected: %v\n%s", err, written)
		}
		if a, b := showImported(got), showImported(again); a != b {
			t.Fatalf("read back differently:\n%s\nwant:\n%s", b, a)
		}
		for i := range got {
			if !got[i].SubmittedAt.Equal(again[i].SubmittedAt) {
				t.Fatalf("submission time %v read back as %v", got[i].SubmittedAt, again[i].SubmittedAt)
			}
		}
	})
}

// checkImported checks every imported answer as the questionnaire form
// would: the question exists, its kind matches, the value is allowed.
func checkImported(t *testing.T, inst *questions.Instrument, got []db.ImportedResponse) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range got {
		if !validPseudonym(r.Participant) || (r.Wave != db.Pre && r.Wave != db.Post) {
			t.Fatalf("response of %q in wave %q", r.Participant, r.Wave)
		}
		if key := r.Participant + "/" + string(r.Wave); seen[key] {
			t.Fatalf("two responses %s", key)
		} else {
			seen[key] = true
		}
		if r.SubmittedAt.IsZero() || r.SubmittedAt.Location() != time.UTC {
			t.Fatalf("submitted at %v", r.SubmittedAt)
		}
		answered := map[string]bool{}
		own := 0
		for _, a := range r.Answers {
			key := a.Item + "/" + strconv.FormatBool(a.Retro)
			if answered[key] {
				t.Fatalf("%s answered %s twice", r.Participant, key)
			}
			answered[key] = true
			if !a.Retro {
				own++
			}
			if a.Retro && (a.Kind != db.KindRating || r.Wave != db.Post) {
				t.Fatalf("retrospective %s answer %s in wave %s", a.Kind, a.Item, r.Wave)
			}
			if a.Kind != db.KindKnowledge && a.Confidence != nil {
				t.Fatalf("%s answer %s has a confidence", a.Kind, a.Item)
			}
			switch a.Kind {
			case db.KindRating:
				if _, ok := inst.Item(a.Item); !ok {
					t.Fatalf("rating of unknown item %q", a.Item)
				}
				if a.Value != nil {
					n, err := strconv.Atoi(*a.Value)
					if err != nil || strconv.Itoa(n) != *a.Value || n < inst.Scale.Min || n > inst.Scale.Max {
						t.Fatalf("rating %s = %q", a.Item, *a.Value)
					}
				}
			case db.KindKnowledge:
				if _, ok := inst.KnowledgeItem(a.Item); !ok {
					t.Fatalf("knowledge answer to unknown item %q", a.Item)
				}
				if (a.Value == nil) != (a.Confidence == nil) {
					t.Fatalf("knowledge %s: judgement and confidence not together", a.Item)
				}
				if a.Value != nil && (*a.Value != "true" && *a.Value != "false" ||
					*a.Confidence < questions.MinConfidence || *a.Confidence > questions.MaxConfidence) {
					t.Fatalf("knowledge %s = %q at %d %%", a.Item, *a.Value, *a.Confidence)
				}
			case db.KindBackground:
				q, ok := inst.BackgroundQuestion(a.Item)
				if !ok || q.Type != questions.BackgroundChoice {
					t.Fatalf("choice answer to %q", a.Item)
				}
				if a.Value != nil && !q.HasOption(*a.Value) {
					t.Fatalf("choice %s = %q", a.Item, *a.Value)
				}
			case db.KindText:
				q, ok := inst.BackgroundQuestion(a.Item)
				if !ok || q.Type != questions.BackgroundText {
					t.Fatalf("text answer to %q", a.Item)
				}
				if a.Value != nil && (*a.Value == "" || !utf8.ValidString(*a.Value) ||
					clean.TooLong(*a.Value) || clean.Text(*a.Value) != *a.Value) {
					t.Fatalf("text %s = %q", a.Item, *a.Value)
				}
			default:
				t.Fatalf("answer %s of kind %q", a.Item, a.Kind)
			}
		}
		if own == 0 {
			t.Fatalf("response of %s in wave %s has no answers of its own", r.Participant, r.Wave)
		}
	}
}

// writeImported writes responses as a long CSV the way WriteLong does, but
// with the submission time to the nanosecond, so that nothing is lost.
func writeImported(inst *questions.Instrument, rs []db.ImportedResponse) []byte {
	var buf bytes.Buffer
	cw := newCSVWriter(&buf)
	cw.Write(longHeader)
	dimension := map[string]string{}
	for _, it := range inst.Items {
		dimension[it.ID] = it.Dimension
	}
	for i, r := range rs {
		for _, a := range r.Answers {
			wave := string(r.Wave)
			if a.Retro {
				wave = string(db.Then)
			}
			rec := []string{SafeCell("ws26"), wave, SafeCell(r.Participant), strconv.Itoa(i + 1),
				r.SubmittedAt.Format(time.RFC3339Nano), a.Item, a.Kind, "", "", ""}
			if a.Kind == db.KindRating {
				rec[7] = dimension[a.Item]
			}
			if a.Value != nil {
				rec[8] = SafeCell(lineBreaks(*a.Value))
			}
			if a.Confidence != nil {
				rec[9] = strconv.Itoa(*a.Confidence)
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return buf.Bytes()
}
