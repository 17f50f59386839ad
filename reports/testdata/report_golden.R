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

# quality_golden.csv: the figures quality.json must give for the cohort of
# quality_cases.txt (TestQualityMatchesR), one "key,value" row per figure.
# Definitions as in package reports' documentation: complete cases per
# dimension and wave, keyed values (1 + 5 - v for reverse items), Cronbach's
# alpha by its formula, Feldt's interval by qf, r_drop and the knowledge
# discrimination by cor, loadings by factanal, the shift by t.test; groups
# below the minimum group (8) are withheld.
minGroup <- 8
lines <- readLines("quality_cases.txt")
lines <- lines[!grepl("^#", lines) & nzchar(lines)]
itemNames <- c("a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3", "c4", "c5", "d1", "d2", "d3")
qdims <- list(a = list(items = 1:3, reverse = c(FALSE, FALSE, TRUE)), b = list(items = 4:5, reverse = c(FALSE, FALSE)),
              c = list(items = 6:10, reverse = c(FALSE, TRUE, FALSE, FALSE, FALSE)), d = list(items = 11:13, reverse = c(FALSE, FALSE, FALSE)))
keys <- c(k1 = "T", k2 = "F", k3 = "T", k4 = "F")
rows <- lapply(strsplit(lines, ";", fixed = TRUE), function(f) list(who = f[1], wave = f[2], now = vals(f[3]),
               then = if (nzchar(f[4])) vals(f[4]) else rep(NA, 13), know = strsplit(f[5], ",", fixed = TRUE)[[1]]))
keyed <- function(v, d) { x <- v[d$items]; x[d$reverse] <- 1 + 5 - x[d$reverse]; x }
qscore <- function(v, d) { x <- keyed(v, d); if (sum(!is.na(x)) >= ceiling(2 * length(x) / 3)) mean(x, na.rm = TRUE) else NA }
alpha <- function(m) { k <- ncol(m); tot <- var(rowSums(m)); if (nrow(m) < 2 || k < 2 || tot <= 1e-12) NA else k / (k - 1) * (1 - sum(apply(m, 2, var)) / tot) }
cor0 <- function(x, y) if (length(x) < 2 || sd(x) == 0 || sd(y) == 0) NA else cor(x, y)
out <- c("key,value")
put <- function(key, v) out <<- c(out, paste(key, if (is.logical(v) && !is.na(v)) (if (v) "TRUE" else "FALSE") else fmt(v), sep = ","))
waveRows <- list(pre = Filter(function(r) r$wave == "pre", rows), then = Filter(function(r) r$wave == "post", rows),
                 post = Filter(function(r) r$wave == "post", rows))
for (dn in names(qdims)) {
  d <- qdims[[dn]]
  for (w in c("pre", "then", "post")) {
    rs <- waveRows[[w]]
    all <- do.call(rbind, lapply(rs, function(r) keyed(if (w == "then") r$then else r$now, d)))
    m <- all[complete.cases(all), , drop = FALSE]
    n <- nrow(m); k <- ncol(m); key <- paste("scale", dn, w, sep = "/")
    hidden <- n < minGroup
    a <- alpha(m)
    ci <- 1 - (1 - a) * qf(c(0.975, 0.025), n - 1, (n - 1) * (k - 1))
    fa <- if (k >= 3) tryCatch(factanal(covmat = cor(m), factors = 1, n.obs = n), error = function(e) NULL) else NULL
    load <- if (is.null(fa)) rep(NA, k) else unclass(fa$loadings)[, 1]
    omega <- if (is.null(fa)) NA else sum(load)^2 / (sum(load)^2 + sum(1 - load^2))
    put(paste(key, "n", sep = "/"), n); put(paste(key, "k", sep = "/"), k); put(paste(key, "suppressed", sep = "/"), hidden)
    put(paste(key, "alpha", sep = "/"), if (hidden) NA else a)
    put(paste(key, "alpha_ci_low", sep = "/"), if (hidden) NA else ci[1])
    put(paste(key, "alpha_ci_high", sep = "/"), if (hidden) NA else ci[2])
    put(paste(key, "omega", sep = "/"), if (hidden) NA else omega)
    for (j in seq_len(k)) {
      ik <- paste(key, "item", itemNames[d$items[j]], sep = "/")
      miss <- mean(is.na(all[, j]))
      rest <- rowSums(m[, -j, drop = FALSE])
      put(paste(ik, "mean", sep = "/"), if (hidden) NA else mean(m[, j]))
      put(paste(ik, "sd", sep = "/"), if (hidden) NA else sd(m[, j]))
      put(paste(ik, "missing", sep = "/"), if (hidden) NA else miss)
      put(paste(ik, "r_drop", sep = "/"), if (hidden) NA else cor0(m[, j], rest))
      put(paste(ik, "alpha_if_dropped", sep = "/"), if (hidden || k - 1 < 2) NA else alpha(m[, -j, drop = FALSE]))
      put(paste(ik, "loading", sep = "/"), if (hidden) NA else load[j])
    }
  }
}
for (w in c("pre", "post")) {
  rs <- waveRows[[w]]
  hit <- do.call(rbind, lapply(rs, function(r) sapply(seq_along(keys), function(i) {
    cell <- r$know[i]
    if (!grepl("^[TF][0-9]+$", cell)) NA else as.numeric(substr(cell, 1, 1) == keys[i])
  })))
  complete <- hit[complete.cases(hit), , drop = FALSE]
  for (i in seq_along(keys)) {
    key <- paste("knowledge", names(keys)[i], w, sep = "/")
    x <- hit[!is.na(hit[, i]), i]; n <- length(x); hidden <- n < minGroup
    disc <- cor0(complete[, i], rowMeans(complete[, -i, drop = FALSE]))
    put(paste(key, "n", sep = "/"), n); put(paste(key, "suppressed", sep = "/"), hidden)
    put(paste(key, "difficulty", sep = "/"), if (hidden) NA else mean(x))
    put(paste(key, "discrimination", sep = "/"), if (hidden || nrow(complete) < minGroup) NA else disc)
  }
}
for (dn in names(qdims)) {
  d <- qdims[[dn]]
  pre <- list(); then <- list()
  for (r in rows) {
    if (r$wave == "pre") pre[[r$who]] <- qscore(r$now, d)
    if (r$wave == "post") then[[r$who]] <- qscore(r$then, d)
  }
  pre <- unlist(pre); then <- unlist(then)
  both <- intersect(names(pre[!is.na(pre)]), names(then[!is.na(then)]))
  n <- length(both); hidden <- n < minGroup; key <- paste("shift", dn, sep = "/")
  diff <- then[both] - pre[both]
  tt <- t.test(then[both], pre[both], paired = TRUE)
  put(paste(key, "n", sep = "/"), n); put(paste(key, "suppressed", sep = "/"), hidden)
  fig <- list(mean_pre = mean(pre[both]), mean_then = mean(then[both]), mean_diff = mean(diff), sd_diff = sd(diff),
              t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value, d_z = mean(diff) / sd(diff))
  for (f in names(fig)) put(paste(key, f, sep = "/"), if (hidden) NA else fig[[f]])
}
writeLines(out, "quality_golden.csv")
