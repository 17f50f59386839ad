package exchange

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"einordnung/questions"
)

// WriteRScript writes a base-R script, itself saved as scriptName, that
// reads the wide CSV (csvName, written by WriteWide) from the folder R runs
// in, turns the choice questions into factors with their
// German labels, and attaches every variable's German label as
// attr(x, "label") and the scale anchors as attr(x, "labels").
func WriteRScript(w io.Writer, inst *questions.Instrument, csvName, scriptName string) error {
	if _, err := newWideLayout(inst); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	writeRHeader(b, inst, csvName, scriptName)

	cols := wideColumns(inst)
	classes := map[wideKind]string{wideText: "character", wideChoice: "character", wideRating: "integer",
		wideThen: "integer", wideKnowledge: "logical", wideConfidence: "integer", wideScore: "numeric"}
	var texts []string
	b.WriteString("d <- read.csv(datei, encoding = \"UTF-8\", fileEncoding = \"UTF-8\", na.strings = \"\",\n  colClasses = c(\n")
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "    %s = %s%s\n", c.name, rQuote(classes[c.kind]), sep)
		if (c.kind == wideText || c.kind == wideChoice) && c.name != "wave" && c.name != "submitted_at" {
			texts = append(texts, c.name)
		}
	}
	b.WriteString("  ))\n\n")

	b.WriteString(`# Die Exportdatei setzt vor Texte, die mit = + - @ (auch nach Leerzeichen),
# Tabulator oder Zeilenumbruch beginnen, ein Apostroph (Schutz vor Formeln in
# Tabellenkalkulationen); hier wird es wieder entfernt.
ohne_schutz <- function(x) ifelse(grepl("^'+([\t\r\n]| *[=+@-])", x), sub("^'", "", x), x)
`)
	fmt.Fprintf(b, "for (v in %s) d[[v]] <- ohne_schutz(d[[v]])\n\n", rVector(texts))

	b.WriteString("d$wave <- factor(d$wave, levels = c(\"pre\", \"post\"))\n")
	for _, q := range inst.Background {
		if q.Type != questions.BackgroundChoice {
			continue
		}
		var values, labels []string
		for _, o := range q.Options {
			values = append(values, o.Value)
			labels = append(labels, o.Text.In("de"))
		}
		fmt.Fprintf(b, "d$%s <- factor(d$%s,\n  levels = %s,\n  labels = %s)\n", q.ID, q.ID, rVector(values), rVector(labels))
	}

	b.WriteString("\nbeschriftungen <- c(\n")
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "  %s = %s%s\n", c.name, rQuote(c.label), sep)
	}
	b.WriteString(")\nfor (v in names(beschriftungen)) attr(d[[v]], \"label\") <- beschriftungen[[v]]\n\n")
	for _, g := range ratingScales(inst) {
		points, labels := labelledPoints(g.scale)
		values := make([]string, len(points))
		for i, v := range points {
			values[i] = strconv.Itoa(v) + "L"
		}
		fmt.Fprintf(b, "skalenanker <- setNames(c(%s), %s)\n", strings.Join(values, ", "), rVector(labels))
		fmt.Fprintf(b, "for (v in %s) attr(d[[v]], \"labels\") <- skalenanker\n", rVector(g.columns))
	}
	b.WriteString("rm(v)\n")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("reports: R script: %w", err)
	}
	return nil
}

// writeRHeader writes the script's opening comments, on what it reads and
// what the values mean, and the name of the file it reads.
func writeRHeader(b *bufio.Writer, inst *questions.Instrument, csvName, scriptName string) {
	comment := strings.NewReplacer("\n", " ", "\r", " ")
	csvLine, scriptLine := comment.Replace(csvName), comment.Replace(scriptName)
	fmt.Fprintf(b, `# Einordnung – R-Skript für die breite Exportdatei %s (Instrument %s)
#
# Liest %s (eine Zeile je Person und Welle), macht aus den Auswahlfragen
# Faktoren mit deutschen Beschriftungen und hängt jeder Variablen ihre
# Beschriftung als attr(x, "label") an, den Selbsteinschätzungen die
# Skalenanker als attr(x, "labels"). Nur Base R; mit dem Paket labelled zeigt
# labelled::var_label(d) alle Beschriftungen auf einmal.
#
# Aufruf im Ordner mit %s: source(%s, encoding = "UTF-8")
#
# Selbsteinschätzungen sind Rohwerte %s, umgepolte Items noch nicht umgepolt
# (siehe codebook.csv). score_* sind die Skalenwerte: Mittel der beantworteten
# Items, umgepolt, nur bei mindestens zwei Dritteln beantworteter Items.
# *_then ist die rückblickende Einschätzung der Nachher-Befragung.

datei <- %s
`, csvLine, inst.Ref(), csvLine, csvLine, rQuote(scriptLine), scaleRanges(inst), rQuote(csvName))
}

// rQuote quotes s as an R string literal.
func rQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// rVector writes c("a", "b", …).
func rVector(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = rQuote(s)
	}
	return "c(" + strings.Join(q, ", ") + ")"
}
