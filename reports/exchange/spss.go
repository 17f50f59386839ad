package exchange

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"einordnung/questions"
)

// spssFormats are the wide file's variable formats in the SPSS syntax
// (string widths in bytes), by kind and, for the first columns, by name.
var (
	spssFormats = map[wideKind]string{
		wideText:       "A4000", // free texts; longer ones are cut
		wideChoice:     "A41",   // an option id (≤ 40) and SafeCell's apostrophe
		wideKnowledge:  "A5",
		wideRating:     "F3.0",
		wideThen:       "F3.0",
		wideConfidence: "F3.0",
		// F20.0 reads the decimals as written (an explicit point wins over
		// the format's implied decimals); FORMATS sets how they are shown.
		wideScore: "F20.0",
	}
	spssFixedFormats = map[string]string{"cohort": "A41", "participant": "A25", "wave": "A4", "submitted_at": "A20"}
)

// spssWidth is how long a line of the SPSS syntax may get: SPSS reads
// lines up to 256 bytes in every mode; shorter ones read better.
const spssWidth = 100

// WriteSPSS writes SPSS syntax that reads the wide CSV (csvName, written by
// WriteWide) with variable labels (the German question texts) and value
// labels: scale anchors, true/false of knowledge answers and the options of
// choice questions. It reads the wide rather than the long file because
// value labels belong to a variable, and in the long file every question
// shares the one variable value.
func WriteSPSS(w io.Writer, inst *questions.Instrument, csvName string) error {
	if _, err := newWideLayout(inst); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	writeSPSSComments(b, inst, csvName)
	cols := wideColumns(inst)
	byKind := map[wideKind][]string{}
	for _, c := range cols {
		byKind[c.kind] = append(byKind[c.kind], c.name)
	}
	list := func(first, indent string, kinds ...wideKind) string {
		var names []string
		for _, k := range kinds {
			names = append(names, byKind[k]...)
		}
		return spssWrap(first, indent, names)
	}

	b.WriteString("\nGET DATA\n  /TYPE=TXT\n")
	fmt.Fprintf(b, "  /FILE=%s\n", spssString(csvName, "    "))
	b.WriteString("  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n  /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /FIRSTCASE=2\n  /VARIABLES=\n")
	for _, c := range cols {
		format := spssFixedFormats[c.name]
		if format == "" || c.kind != wideText {
			format = spssFormats[c.kind]
		}
		fmt.Fprintf(b, "    %s %s\n", c.name, format)
	}
	b.WriteString(".\n\nVARIABLE LABELS\n")
	for i, c := range cols {
		end := "\n"
		if i == len(cols)-1 {
			end = ".\n"
		}
		fmt.Fprintf(b, "  %s %s%s", c.name, spssString(clipBytes(c.label, 250), "    "), end)
	}

	b.WriteString("\nVALUE LABELS\n")
	for i, g := range ratingScales(inst) {
		first := "  /"
		if i == 0 {
			first = "  "
		}
		b.WriteString(spssWrap(first, "  ", g.columns) + "\n")
		points, labels := labelledPoints(g.scale)
		for j, v := range points {
			fmt.Fprintf(b, "    %d %s\n", v, spssString(clipBytes(labels[j], 120), "      "))
		}
	}
	if len(byKind[wideKnowledge]) > 0 {
		fmt.Fprintf(b, "%s\n    'true' 'wahr'\n    'false' 'falsch'\n", list("  /", "  ", wideKnowledge))
	}
	for _, q := range inst.Background {
		if q.Type != questions.BackgroundChoice {
			continue
		}
		fmt.Fprintf(b, "  /%s\n", q.ID)
		for _, o := range q.Options {
			fmt.Fprintf(b, "    %s %s\n", spssString(o.Value, "      "), spssString(clipBytes(o.Text.In("de"), 120), "      "))
		}
	}
	b.WriteString(".\n\n")
	fmt.Fprintf(b, "FORMATS\n%s (F8.4).\n", list("  ", "  ", wideScore))
	fmt.Fprintf(b, "VARIABLE LEVEL\n%s (SCALE)\n%s (NOMINAL).\n",
		list("  ", "  ", wideRating, wideThen, wideConfidence, wideScore), spssWrap("  /", "  ", append([]string{"wave"}, append(byKind[wideKnowledge], byKind[wideChoice]...)...)))
	b.WriteString("EXECUTE.\n")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("reports: spss syntax: %w", err)
	}
	return nil
}

// writeSPSSComments writes the syntax's opening comments: which file it
// reads and how, and what the values mean.
func writeSPSSComments(b *bufio.Writer, inst *questions.Instrument, csvName string) {
	for _, c := range []string{
		"Einordnung – SPSS-Syntax für die breite Exportdatei „" + spssLine(csvName) + "“ (Instrument " + inst.Ref() + ").",
		"Gelesen wird die breite Datei (eine Zeile je Person und Welle), nicht die lange responses.csv: " +
			"nur dort ist jede Frage eine eigene Variable, an die Wertelabels (Skalenanker, wahr/falsch, Antwortoptionen) passen.",
		"Datei und Syntax in denselben Ordner legen oder unten bei /FILE den vollständigen Pfad eintragen.",
		"Selbsteinschätzungen sind Rohwerte " + scaleRanges(inst) + ", umgepolte Items noch nicht umgepolt (siehe codebook.csv).",
		"score_* sind die Skalenwerte: Mittel der beantworteten Items, umgepolt, nur bei mindestens zwei Dritteln beantworteter Items.",
		"*_then ist die rückblickende Einschätzung der Nachher-Befragung (wie schätzen Sie sich für die Zeit davor ein).",
		"Texte, die mit = + - @ (auch nach Leerzeichen), Tabulator oder Zeilenumbruch beginnen, " +
			"tragen zum Schutz vor Formeln ein vorangestelltes Apostroph.",
		"Freitexte werden nach 4000 Bytes abgeschnitten; Zeilenumbrüche darin stehen in der breiten Datei als ' / '.",
	} {
		// A comment runs on to the line that ends with a period; no word
		// but the last ends with one.
		b.WriteString(spssWrap("* ", "  ", strings.Fields(strings.TrimSuffix(c, "."))) + ".\n")
	}
}

// spssWrap joins words into lines of at most spssWidth bytes, the first
// starting with first, the others with indent.
func spssWrap(first, indent string, words []string) string {
	var b strings.Builder
	line := first
	for i, w := range words {
		if i > 0 && len(line)+1+len(w) > spssWidth {
			b.WriteString(line + "\n")
			line = indent
		} else if i > 0 {
			line += " "
		}
		line += w
	}
	b.WriteString(line)
	return b.String()
}

// spssString quotes s as an SPSS string in apostrophes (doubled inside), on
// one line, split into pieces joined with + on lines starting with indent
// when it is long: strings cannot span lines.
func spssString(s, indent string) string {
	s = spssLine(s)
	var parts []string
	for len(s) > 70 {
		piece := clipBytes(s, 70)
		if i := strings.LastIndexByte(piece, ' '); i > 20 {
			piece = piece[:i+1] // break between words
		}
		parts = append(parts, spssQuote(piece))
		s = s[len(piece):]
	}
	parts = append(parts, spssQuote(s))
	return strings.Join(parts, " +\n"+indent)
}

// spssQuote quotes s in apostrophes, doubled inside.
func spssQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// spssLine puts s on one line: SPSS syntax strings end at a line end.
func spssLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clipBytes cuts s to at most n bytes on a character boundary (SPSS limits
// variable labels to 256 bytes).
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
