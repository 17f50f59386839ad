# Regenerates report_golden.csv, the figures report.json must give for the
# cohort of missing_cases.txt (TestReportMatchesRWithMissingItems):
#   cd reports/testdata && Rscript report_golden.R
# Definitions as in package reports' documentation, computed independently
# in base R: a dimension score is the mean of the answered items (reverse-
# keyed ones as min + max - value) when at least ceiling(2/3 * items) are
# answered. Per wave, every response with a score counts; the retrospective
# ("then") wave is every post response with a retrospective score. A
# comparison's pairs are the responses with both scores.
options(digits = 17, warn = -1)
fmt <- function(x) if (length(x) == 0 || is.null(x) || is.na(x) || !is.finite(x)) "NA" else trimws(formatC(x, digits = 17, format = "g"))
lines <- readLines("missing_cases.txt")
lines <- lines[!grepl("^#", lines) & nzchar(lines)]
dims <- list(a = list(items = 1:3, reverse = c(FALSE, FALSE, TRUE)), b = list(items = 4:6, reverse = c(FALSE, FALSE, FALSE)))
vals <- function(s) { v <- strsplit(s, ",", fixed = TRUE)[[1]]; suppressWarnings(as.numeric(ifelse(v %in% c("NA", "x"), NA, v))) }
score <- function(v, d) {
  x <- v[d$items]; x[d$reverse] <- 0 + 10 - x[d$reverse]
  if (sum(!is.na(x)) >= ceiling(2 * length(x) / 3)) mean(x, na.rm = TRUE) else NA
}
rows <- lapply(strsplit(lines, ";", fixed = TRUE), function(f) list(who = f[1], wave = f[2], now = vals(f[3]), then = if (length(f) > 3) vals(f[4]) else rep(NA, 6)))
out <- c("comparison,dimension,n_pre,n_post,n_pairs,mean_pre,sd_pre,mean_post,sd_post,mean_diff,sd_diff,t,df,p_t")
for (dn in names(dims)) {
  d <- dims[[dn]]
  pre <- list(); post <- list(); then <- list()
  for (r in rows) {
    if (r$wave == "pre") pre[[r$who]] <- score(r$now, d)
    if (r$wave == "post") { post[[r$who]] <- score(r$now, d); then[[r$who]] <- score(r$then, d) }
  }
  pre <- unlist(pre); post <- unlist(post); then <- unlist(then)
  comp <- function(name, before, after) {
    b <- before[!is.na(before)]; a <- after[!is.na(after)]
    both <- intersect(names(b), names(a))
    diff <- a[both] - b[both]
    tt <- t.test(a[both], b[both], paired = TRUE)
    paste(name, dn, length(b), length(a), length(both), fmt(mean(b)), fmt(sd(b)), fmt(mean(a)), fmt(sd(a)),
          fmt(mean(diff)), fmt(sd(diff)), fmt(unname(tt$statistic)), fmt(unname(tt$parameter)), fmt(tt$p.value), sep = ",")
  }
  out <- c(out, comp("post_vs_pre", pre, post), comp("post_vs_then", then, post))
}
writeLines(out, "report_golden.csv")
