// Package exchange writes and reads a cohort's files: the long CSV (one
// row per answer), a wide CSV (one row per participant and wave), the
// codebook, SPSS and R scripts that read the wide CSV with its labels, the
// XLSX workbook, and the import of a long CSV. Answers are streamed from
// the database; the wide CSV holds one response at a time.
package exchange
