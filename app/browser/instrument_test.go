package browser_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"einordnung/db"
)

// TestBrowserImportedInstrument is what a program does with a questionnaire
// of its own: an admin uploads it in the leads' area (three dimensions, one
// of them on 0–10 and two on 1–5 with a label on every point, reverse keys,
// two knowledge statements, a breakdown question, Turkish beside German and
// English), a participant answers pre and post in Turkish, and the lead
// reads the dashboard, the codebook and the wide export in R.
func TestBrowserImportedInstrument(t *testing.T) {
	env := startBrowserEnv(t, journeyTimeout)
	defer env.finish(t)
	store := env.store
	const (
		email    = "admin@example.org"
		password = "Ein Passwort für Instrumente"
		slug     = "trio26"
	)
	env.admin(t, email, password)
	file, err := filepath.Abs("../../questions/testdata/trio-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}

	lead := env.newTab(t, "admin tab", true, desktopViewport)
	lead.open(t, "/admin/login", 200)
	lead.signIn(t, email, password)
	lead.open(t, "/admin/instruments", 200)
	lead.do(t, "choose the file", chromedp.SetUploadFiles(`#file`, []string{file}))
	lead.submit(t, `form[action="/admin/instruments/import"] button[type="submit"]`, 200, `a[href="/admin/instruments/trio@1"]`)
	inst, ok := env.set.Get("trio@1")
	if !ok {
		t.Fatal("the uploaded instrument is not in the server's set")
	}
	if _, err := store.CreateCohort(slug, "Drei Felder 2026", inst.Ref()); err != nil {
		t.Fatal(err)
	}
	if err := store.SetWaveOpen(slug, db.Pre, true); err != nil {
		t.Fatal(err)
	}
	total := len(inst.Pages())

	// answerPage answers every group of a questionnaire page: ratings with
	// value (and looking back with then), knowledge, the field of work.
	answerPage := func(b *browserTab, value, then string) {
		t.Helper()
		b.answerAll(t, func(name string) string {
			switch {
			case strings.HasPrefix(name, "t_"):
				return then
			case strings.HasPrefix(name, "r_"):
				return value
			case strings.HasPrefix(name, "b_"):
				return "soziales"
			case strings.HasPrefix(name, "c_"):
				return "80"
			case name == "k_kw_rechnen":
				return "false"
			}
			return "true"
		})
	}
	// walk answers every page and sends the last; pages 1 and 2 are on the
	// 1–5 scale, page 3 on 0–10.
	walk := func(b *browserTab, values [3]string, then [3]string) {
		t.Helper()
		for n := 1; n <= total; n++ {
			b.waitVisible(t, fmt.Sprintf(`progress#progress[value="%d"]`, n))
			v, th := "", ""
			if n <= 3 {
				v, th = values[n-1], then[n-1]
			}
			answerPage(b, v, th)
			if n < total {
				b.submit(t, `button[name="nav"][value="next"]`, 200, fmt.Sprintf(`progress#progress[value="%d"]`, n+1))
				continue
			}
			b.submit(t, `button[name="nav"][value="submit"]`, 200, "table.scores")
		}
	}

	var returnCode string
	ok = t.Run("pre wave in Turkish", func(t *testing.T) {
		b := env.newTab(t, "participant tab", true, phoneViewport)
		b.open(t, "/c/"+slug+"?lang=tr", 200)
		if l := brEval[string](t, b, "document.documentElement.lang"); l != "tr" {
			t.Fatalf("the consent page is in %q, want tr", l)
		}
		if d := brEval[string](t, b, "document.body.textContent"); !strings.Contains(d, "Üç alanda bir öz değerlendirme.") {
			t.Errorf("the consent page lacks the instrument's Turkish description\n%s", b.describe())
		}
		langs := brEval[[]string](t, b, `Array.from(document.querySelectorAll("a[hreflang]")).map(a => a.hreflang + ":" + a.textContent.trim())`)
		if strings.Join(langs, " ") != "de:Deutsch en:English" {
			t.Errorf("the language switch offers %q, want Deutsch and English", langs)
		}
		b.do(t, "tick consent", chromedp.Click(chromedp.CSS("#agree")))
		b.submit(t, `form[action="/c/`+slug+`/consent"] button[type="submit"]`, 200, "#emother")
		for id, v := range journeyCode {
			b.typeInto(t, "#e"+id, v)
		}
		b.submit(t, `form[action="/c/`+slug+`/code"] button[type="submit"]`, 200, "#return-code-value")
		returnCode = strings.TrimSpace(brRun(t, b, "read the return code", chromedp.Text(chromedp.CSS("#return-code-value"))))
		b.submit(t, `.return-code a[href="/survey"]`, 200, `progress#progress[value="1"]`)

		// A 1–5 page: every point named in Turkish, then "keine Angabe".
		options := brEval[[]string](t, b, `Array.from(document.querySelector("form.survey fieldset.scale").querySelectorAll("label")).map(l => l.querySelector("span").textContent.trim() + " – " + (l.querySelector("small") ? l.querySelector("small").textContent.trim() : ""))`)
		if len(options) != 6 || options[0] != "1 – hiç katılmıyorum" || options[4] != "5 – tamamen katılıyorum" {
			t.Errorf("the first item offers %q, want the five labelled points of 1–5 and no answer", options)
		}
		if d := brEval[string](t, b, "document.querySelector('form.survey').textContent"); !strings.Contains(d, "Kaynakları kontrol ederim.") {
			t.Errorf("the first page lacks the Turkish item text")
		}
		// pruefen 4 and 4 reversed = 2: 3,0; fragen 5; grenzen 8 and 8 reversed = 2: 5,0.
		walk(b, [3]string{"4", "5", "8"}, [3]string{})
		rows := brEval[[][]string](t, b, `Array.from(document.querySelectorAll("table.scores tbody tr")).map(tr => Array.from(tr.children).map(c => c.textContent.trim()))`)
		want := [][2]string{{"Kontrol", "3.0"}, {"Sormak", "5.0"}, {"Sınırlar", "5.0"}}
		if len(rows) != 3 {
			t.Fatalf("the feedback has %d score rows, want 3: %q", len(rows), rows)
		}
		for i, w := range want {
			if rows[i][0] != w[0] || rows[i][1] != w[1] {
				t.Errorf("score row %d is %q, want %s %s", i+1, rows[i], w[0], w[1])
			}
		}
	})
	if !ok {
		return
	}
	ok = t.Run("post wave by return code", func(t *testing.T) {
		env.postWave(t, slug)
		b := env.newTab(t, "post tab", true, phoneViewport)
		b.open(t, "/?lang=tr", 200)
		b.typeInto(t, "#return-code", returnCode)
		b.submit(t, `form[action="/resume"] button[type="submit"]`, 200, "#agree")
		b.do(t, "tick consent", chromedp.Click(chromedp.CSS("#agree")))
		b.submit(t, `form[action="/c/`+slug+`/consent"] button[type="submit"]`, 200, `progress#progress[value="1"]`)
		walk(b, [3]string{"5", "5", "10"}, [3]string{"3", "4", "6"})
		heads := brEval[int](t, b, `document.querySelectorAll("table.scores thead th").length`)
		if heads != 4 {
			t.Errorf("after the post wave the score table has %d columns, want dimension and three waves", heads)
		}
	})
	if !ok {
		return
	}

	// Enough people for figures: synthetic ones in a second cohort on the
	// same instrument, whose dashboard the admin reads.
	filled := env.demoCohort(t, inst, "trio-demo", 120, 4)
	t.Run("dashboard, codebook and R on the imported instrument", func(t *testing.T) {
		lead.open(t, fmt.Sprintf("/admin/cohorts/%d/report?lang=de", filled.ID), 200)
		lead.waitVisible(t, "#downloads")
		lead.waitCharts(t)
		if !brEval[bool](t, lead, `document.querySelector('[data-chart="chart-by-bereich"]') !== null`) {
			t.Errorf("the dashboard has no breakdown by the question marked breakdown: true")
		}
		text := brEval[string](t, lead, "document.querySelector('main').textContent")
		for _, w := range []string{"Prüfen", "Fragen", "Grenzen"} {
			if !strings.Contains(text, w) {
				t.Errorf("the dashboard does not name the dimension %s", w)
			}
		}

		fetch := func(what string) string {
			t.Helper()
			return brRun(t, lead, "fetch "+what, chromedp.Evaluate[string](fmt.Sprintf(`fetch("/admin/cohorts/%d/export/%s").then(r => r.ok ? r.text() : "status " + r.status)`, filled.ID, what),
				chromedp.EvalAwaitPromise))
		}
		codebook := fetch("codebook")
		lines := strings.Split(strings.TrimSpace(codebook), "\n")
		if !strings.HasSuffix(strings.TrimSpace(lines[0]), "text_de,text_en,text_tr") {
			t.Errorf("the codebook's header is %q, want a Turkish text column", lines[0])
		}
		for _, want := range []string{"pr_blind,rating,pruefen,true,1,5,", "gr_daten,rating,grenzen,true,0,10,", "Verilen kaynaklar uydurma olabilir."} {
			if !strings.Contains(codebook, want) {
				t.Errorf("the codebook lacks %q:\n%s", want, codebook)
			}
		}

		var quality struct {
			Scales []struct {
				Dimension string   `json:"dimension"`
				Alpha     *float64 `json:"alpha"`
			} `json:"scales"`
		}
		if err := json.Unmarshal([]byte(fetch("quality")), &quality); err != nil || len(quality.Scales) != 9 {
			t.Errorf("quality.json: %d scales (%v), want 3 dimensions × pre, then, post", len(quality.Scales), err)
		}
		for _, sc := range quality.Scales {
			if sc.Alpha == nil {
				t.Errorf("quality.json: no α for %s on 120 people", sc.Dimension)
			}
		}

		// The script reads the wide file under the name it was made for.
		dir := t.TempDir()
		rScript := fetch("r")
		m := regexp.MustCompile(`(?m)^datei <- "([^"/]+)"$`).FindStringSubmatch(rScript)
		if m == nil {
			t.Fatalf("the R script names no file to read:\n%s", rScript)
		}
		for name, content := range map[string]string{m[1]: fetch("wide"), "trio.R": rScript} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := exec.LookPath("Rscript"); err != nil {
			if os.Getenv("TOOLS_REQUIRED") == "1" {
				t.Fatal("Rscript is not installed, but TOOLS_REQUIRED=1")
			}
			t.Skip("Rscript is not installed (set TOOLS_REQUIRED=1 to make this a failure)")
		}
		cmd := exec.Command("Rscript", "-e", `source("trio.R", encoding = "UTF-8")
cat(nrow(d), names(attr(d$pr_quelle, "labels"))[5], names(attr(d$gr_fehler, "labels"))[2], levels(d$bereich)[3], sep = "|")`)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("Rscript: %v\n%s", err, out)
		}
		counts, err := store.Stats(filled.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := strconv.Itoa(counts.Submitted[db.Pre]+counts.Submitted[db.Post]) + "|trifft voll zu|10 = sehr gut|keine Angabe"; string(out) != want {
			t.Errorf("R read %q, want %q (rows, the 1–5 and 0–10 anchors, the third option)", out, want)
		}
	})
}
