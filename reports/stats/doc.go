// Package stats holds the statistics every report, export and test shares,
// as pure functions over plain slices: no database, no charts. A figure that
// cannot be computed (too few values, no variance) is nil.
//
// The definitions, for a dimension of k items on the scale [min, max]:
//
//   - Describe: n, mean, SD with n − 1 in the denominator, median and
//     quartiles as R's quantile(type = 7), minimum, maximum, and the 95 %
//     confidence interval of the mean, mean ± t(0.975, n − 1)·SD/√n.
//   - PairTest, over matched pairs with D = post − pre: mean D, SD_D, the
//     95 % interval D̄ ± t(0.975, n − 1)·SD_D/√n, the paired t = D̄/(SD_D/√n)
//     with df = n − 1 and its two-sided p, Cohen's d_z = D̄/SD_D and
//     d_av = D̄/((SD_pre + SD_post)/2) with the SDs of the paired scores;
//     the Wilcoxon signed-rank test as R's wilcox.test(post, pre, paired =
//     TRUE) computes it: zero differences dropped, the exact p below 50
//     pairs when there are neither ties nor zeros, otherwise the normal
//     approximation with tie and continuity correction; W⁺ is the sum of the
//     positive ranks (R's V), and the matched-pairs rank-biserial
//     r = (R⁺ − R⁻)/(R⁺ + R⁻). Differences within 1e-9 count as ties,
//     because scores are means and 2/3 computed two ways must tie (the
//     reference script passes digits.rank = 9 to R for the same reason).
//   - Holm: Holm–Bonferroni adjusted p-values across the dimensions of one
//     report; nil p-values stay nil and do not count.
//   - Alpha: Cronbach's α over responses that answered every item of the
//     dimension, α = k/(k − 1)·(1 − Σ s²ᵢ/s²_total), from running sums so
//     that a large cohort is never held in memory.
//   - Pearson: the correlation coefficient r.
//   - AnalyseScale, over complete cases of keyed values: α, Feldt's 95 %
//     interval 1 − (1 − α)·F(0.975 and 0.025; n − 1, (n − 1)(k − 1)), per
//     item mean, SD, r with the sum of the other items and α without it,
//     and the one-factor maximum-likelihood loadings and ω = (Σλ)²/((Σλ)² +
//     Σ(1 − λ²)) (OneFactorML: R's factanal objective and start,
//     uniquenesses in [0.005, 1], minimised by projected Newton steps to a
//     tighter tolerance than R's L-BFGS-B; nil below three items, for a
//     singular correlation matrix or a fit that does not converge).
//
// The tests compare every function with values R computed: the inputs are
// in testdata/*_cases.txt, testdata/golden.R writes testdata/*_golden.csv
// (cd reports/stats/testdata && Rscript golden.R), and a value matches when
// |got − want| ≤ 1e-9 + 1e-7·|want|.
package stats
