# Regenerates the golden values the Go statistics are tested against:
#   cd reports/stats/testdata && Rscript golden.R
# Inputs: *_cases.txt (one case per line); outputs: *_golden.csv.
# Uses base R only (t.test, wilcox.test, quantile, p.adjust, cor); Cronbach's alpha
# from its formula k/(k-1) * (1 - sum(item variances) / variance(total)).
options(digits = 17, warn = -1)
read_cases <- function(file) {
  lines <- readLines(file)
  lines <- lines[!grepl("^#", lines) & nzchar(lines)]
  strsplit(lines, ";", fixed = TRUE)
}
nums <- function(s) as.numeric(strsplit(s, ",", fixed = TRUE)[[1]])
fmt <- function(x) if (length(x) == 0 || is.null(x) || is.na(x) || !is.finite(x)) "NA" else trimws(formatC(x, digits = 17, format = "g"))
safe <- function(expr) tryCatch(expr, error = function(e) NULL)

# Paired analysis: post - pre.
out <- c("case,n,mean_diff,sd_diff,ci_low,ci_high,t,df,p_t,d_z,d_av,w_plus,p_w,r_rb")
for (cs in read_cases("paired_cases.txt")) {
  pre <- nums(cs[2]); post <- nums(cs[3]); d <- post - pre; n <- length(d)
  tt <- safe(t.test(post, pre, paired = TRUE))
  sdd <- if (n > 1) sd(d) else NA
  ci <- if (!is.null(tt)) tt$conf.int else c(NA, NA)
  tstat <- if (!is.null(tt)) unname(tt$statistic) else NA
  df <- if (n > 1) n - 1 else NA
  pt <- if (!is.null(tt)) tt$p.value else NA
  dz <- if (!is.na(sdd) && sdd > 0) mean(d) / sdd else NA
  avg <- if (n > 1) (sd(pre) + sd(post)) / 2 else NA
  dav <- if (!is.na(avg) && avg > 0) mean(d) / avg else NA
  # digits.rank = 9: scores are item means, so differences equal on paper
  # (2/3 computed as 6 - 5.333... and 7.333... - 6.666...) must tie; the Go
  # code compares at 1e-9 for the same reason. Otherwise R's defaults.
  wt <- safe(wilcox.test(post, pre, paired = TRUE, digits.rank = 9))
  nz <- d[d != 0]
  if (length(nz) > 0) {
    r <- rank(signif(abs(nz), 9)); rplus <- sum(r[nz > 0]); total <- length(nz) * (length(nz) + 1) / 2
    rrb <- (rplus - (total - rplus)) / total
  } else { rplus <- NA; rrb <- NA }
  v <- if (!is.null(wt)) unname(wt$statistic) else rplus
  pw <- if (!is.null(wt)) wt$p.value else NA
  out <- c(out, paste(cs[1], n, fmt(mean(d)), fmt(sdd), fmt(ci[1]), fmt(ci[2]), fmt(tstat), fmt(df), fmt(pt),
                      fmt(dz), fmt(dav), fmt(v), fmt(pw), fmt(rrb), sep = ","))
}
writeLines(out, "paired_golden.csv")

out <- c("case,alpha")
for (cs in read_cases("alpha_cases.txt")) {
  rows <- strsplit(cs[2], "|", fixed = TRUE)[[1]]
  m <- do.call(rbind, lapply(rows, nums)); k <- ncol(m)
  total <- var(rowSums(m))
  alpha <- if (total > 0) k / (k - 1) * (1 - sum(apply(m, 2, var)) / total) else NA
  out <- c(out, paste(cs[1], fmt(alpha), sep = ","))
}
writeLines(out, "alpha_golden.csv")

out <- c("case,n,mean,sd,median,q1,q3,ci_low,ci_high")
for (cs in read_cases("describe_cases.txt")) {
  x <- nums(cs[2]); n <- length(x)
  q <- quantile(x, c(0.25, 0.5, 0.75), type = 7)
  ci <- if (n > 1) mean(x) + c(-1, 1) * qt(0.975, n - 1) * sd(x) / sqrt(n) else c(NA, NA)
  out <- c(out, paste(cs[1], n, fmt(mean(x)), fmt(if (n > 1) sd(x) else NA), fmt(q[2]), fmt(q[1]), fmt(q[3]),
                      fmt(ci[1]), fmt(ci[2]), sep = ","))
}
writeLines(out, "describe_golden.csv")

out <- c("case,adjusted")
for (cs in read_cases("holm_cases.txt")) {
  p <- suppressWarnings(as.numeric(strsplit(cs[2], ",", fixed = TRUE)[[1]]))
  adj <- p.adjust(p, method = "holm")
  out <- c(out, paste(cs[1], paste(sapply(adj, fmt), collapse = " "), sep = ","))
}
writeLines(out, "holm_golden.csv")

out <- c("case,r")
for (cs in read_cases("pearson_cases.txt")) {
  x <- nums(cs[2]); y <- nums(cs[3])
  r <- if (sd(x) > 0 && sd(y) > 0) cor(x, y, method = "pearson") else NA
  out <- c(out, paste(cs[1], fmt(r), sep = ","))
}
writeLines(out, "pearson_golden.csv")
