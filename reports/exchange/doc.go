// Package exchange writes and reads the files a cohort is exchanged in: the
// long CSV (one row per answer), which is also the import format, the wide
// CSV (one row per participant and wave), the codebook, SPSS syntax and an
// R script that read the wide CSV with its labels, an XLSX workbook of all
// of these, and report.json. Answers are streamed from the database; the
// wide CSV holds one response at a time. Only submitted responses are
// written; a response in progress is in no file.
//
// This comment is the contract of these files. Changing a column, its
// order or its meaning changes what analyses written against the files
// read.
//
// # Every CSV file
//
// UTF-8 without a byte order mark, comma-separated, with CRLF line ends
// (RFC 4180): a field holding a comma, a double quote or a line break, or
// starting with white space, is put in double quotes, a double quote inside
// doubled.
//
// A text cell that a spreadsheet might run as a formula, one starting with
// a tab, a CR or an LF, or with =, +, -, @ after any spaces, gets a leading
// apostrophe ('=SUM(A1) for
// =SUM(A1)). So that this apostrophe can be told from one a participant
// typed, a text of apostrophes followed by one of these characters gets one
// more (a typed '=x is written with two apostrophes); the import removes
// exactly one. This applies to the cells that can hold typed or configured
// text: cohort, participant and value of the long CSV; cohort, participant
// and the background questions of the wide CSV; text_de and text_en of the
// codebook. Texts taken in by the app (form, import) are trimmed and cannot
// start with white space (package clean); older stored texts may.
//
// # Long CSV (responses.csv)
//
// The header is
//
//	cohort,wave,participant,response,submitted_at,item,kind,dimension,value,confidence
//
// and every further row is one stored answer, ordered by response and then
// by answer:
//
//   - cohort: the cohort's short code.
//   - wave: pre (before), post (after), or then: a retrospective rating
//     given in the post response (how participants rate, looking back, how
//     they stood before).
//   - participant: the participant's pseudonym, the same in both waves. A post
//     response provisionally paired with a pre response (code one element
//     off, no return code; see package db) carries the pre participant's
//     pseudonym, so that every reader pairs it as the reports do.
//   - response: the response's number in the database; the rows of one
//     response, its then rows included, share it. The import does not read
//     it.
//   - submitted_at: when the response was submitted, RFC 3339 in UTC
//     (2026-03-02T09:00:00Z); the same in every row of a response.
//   - item: the question's id in the cohort's instrument.
//   - kind: rating (a self-rating), knowledge (a true/false statement),
//     background (a choice question) or text (an open question).
//   - dimension: the dimension of a rating item; empty for every other kind.
//   - value: the raw answer. A rating is the number on the scale as given,
//     before reverse keying (the codebook says which items are reversed); a
//     knowledge answer is true or false, the participant's judgement of the
//     statement (whether that is right is the codebook's correct); a
//     background answer is the option's value; a text is the text as typed,
//     every line break in it written as CRLF within the quotes (a lone CR
//     becomes one too). Empty means no answer ("keine Angabe"); a question
//     left out may also have no row at all.
//   - confidence: for knowledge answers only, how sure the participant was,
//     a whole number from 50 to 100 (percent); empty without a judgement,
//     and for every other kind.
//
// # Long CSV for Excel (responses-excel.csv)
//
// The same rows and cells (WriteLongExcel), in the dialect German Excel
// opens with a double click: a UTF-8 byte order mark first, semicolons
// between the fields, CRLF line ends and RFC 4180 quoting otherwise. It is
// for reading; responses.csv stays the import contract (the import also
// takes this file, see below).
//
// # Import
//
// ReadLong reads the long CSV as written above, into one cohort, and checks
// every row before anything is stored. One wrong row rejects the whole
// file: the *ImportError lists the problems in German, in line order, each
// with its line number ("Zeile 7: …"), at most MaxImportProblems of them
// and the count of the rest. Line 1 is the header; a row whose quoted text
// spans several lines of the file counts as one line, as in a spreadsheet.
//
// What is accepted besides the exact export: a UTF-8 byte order mark before
// the header, which is skipped; semicolons as the separator, when the first
// line (within its first 4096 bytes) holds a semicolon and no comma, as
// spreadsheets with a German locale save CSV; LF as well as CRLF line ends;
// submission times with any UTC offset (stored in UTC). Text that is not
// valid UTF-8 is rejected ("CSV UTF-8" is the spreadsheet format to save
// in), and so is anything that is not valid CSV, from the first record that
// is not.
//
// The rules, row by row:
//
//   - The header must be exactly the ten column names above.
//   - A row has ten columns.
//   - cohort is the short code of the cohort being imported into.
//   - wave is pre, post or then; participant is 1 to 24 ASCII letters,
//     digits, _ or -; submitted_at is a time in RFC 3339.
//   - item is a question of the cohort's instrument, and kind is that
//     question's kind; dimension is the item's dimension for a rating and
//     empty otherwise.
//   - then rows are ratings; only knowledge rows have a confidence.
//   - value is empty or: for a rating a whole number on the instrument's
//     scale; for knowledge true or false, with a confidence from 50 to 100
//     (value and confidence are both given or both empty); for a background
//     question one of its option values; a text is normalised as every
//     text from outside (package clean: control characters other than
//     line break and tab dropped, NFC, trimmed; its line breaks stored as
//     LF) and then has at most clean.MaxText (2000) characters, as in the
//     questionnaire form.
//
// The rows are grouped into one response per participant and wave; then
// rows belong to the participant's post response, which must be in the
// file with at least one row of its own. All rows of a response carry the
// same submission time, and a response answers each question at most once
// (its then rating apart). The apostrophe of a protected text cell is
// removed from cohort, participant and value. Import (used by the import
// page and the command line) then stores the file, or refuses it, again as
// a whole, with one problem per response the cohort cannot take, in the
// same form: "Zeile 2: P1 hat in diesem Jahrgang schon eine
// Vorher-Befragung (pre)" for a response that exists already, and "Zeile 7:
// Pseudonym „PAPIER01“ kann in diesem Jahrgang nicht verwendet werden" for a
// pseudonym taken elsewhere. No message names or hints at another cohort.
//
// # Codebook (codebook.csv)
//
// The header is
//
//	item,kind,dimension,reverse,min,max,correct,text_de,text_en
//
// with one row per question, in the instrument's order: the rating items,
// the knowledge items, then the background questions.
//
//   - item: the question's id, as in the long CSV.
//   - kind: rating, knowledge, background (choice) or text (open), as in
//     the long CSV.
//   - dimension: a rating item's dimension; empty otherwise.
//   - reverse: true for a reverse-keyed rating item, whose scores use
//     min + max − value; false for every other row.
//   - min, max: the rating scale's ends; empty otherwise.
//   - correct: for a knowledge item, whether its statement is true (true or
//     false); empty otherwise.
//   - text_de, text_en: the question's wording in German and English.
//
// # Wide CSV (wide.csv)
//
// One row per submitted response, that is per participant and wave, with
// the columns, in this order:
//
//   - cohort, participant, wave (pre or post), submitted_at, as in the long
//     CSV;
//   - one column per rating item, named by its id, with the raw value;
//   - <item>_then for every rating item: the retrospective rating, in post
//     rows only;
//   - for every knowledge item <item> (true or false) followed by
//     <item>_conf (the confidence);
//   - one column per background question, named by its id: the option's
//     value or the text;
//   - score_<dimension> for every dimension: the mean of the answered items,
//     reverse-keyed items reversed, when at least two thirds of the
//     dimension's items (rounded up) are answered, and empty otherwise;
//   - score_<dimension>_then: the same for the retrospective ratings, in post
//     rows only.
//
// An empty cell is no answer. Scores have as many decimals as they need to
// be read back exactly. A line break in a text is written as " / ", as SPSS
// cannot read line breaks inside a field.
//
// # SPSS syntax and R script
//
// einordnung.sps (WriteSPSS) and einordnung.R (WriteRScript) read the wide
// CSV from the folder they run in, under the file name they are given (the
// app gives the name the wide CSV is downloaded under, SLUG-wide.csv, so
// that both run as downloaded beside it), and attach the German question texts as
// variable labels, the scale's anchors to the ratings, and the options'
// texts to the choice questions. The R script removes the formula
// apostrophe again; the SPSS syntax keeps it and says so in a comment, and
// reads free texts up to 4000 bytes.
//
// # XLSX workbook
//
// einordnung.xlsx has the sheets wide, long, codebook and report. The first
// three are the CSV files above, row by row. Only columns that hold numbers
// by definition become number cells (ratings, confidences, scores, the
// response number, the codebook's min and max), and only where the cell is
// a plain number, so that a typed "007" or "0.10" stays text; no cell is a
// formula. A sheet beyond Excel's 1,048,576 rows (in practice only the
// long one) is cut, its last row saying so. The report sheet is report.json's figures as a table: one row
// per dimension and comparison (post_vs_pre, post_vs_then), then the
// knowledge figures per wave.
//
// # report.json
//
// The cohort's figures, reports.Report as JSON (its fields are documented
// there), indented by two spaces, with a final line break; <, > and & in
// texts are written as \u003c, \u003e and \u0026, as encoding/json does.
package exchange
