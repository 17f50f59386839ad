// Package reports turns stored answers into figures: a cohort's report
// (Build) and a participant's personal profile (BuildProfile). The
// statistics themselves are in reports/stats; the privacy rule is applied
// here, once, in privacy.go.
//
// # Definitions
//
// A dimension of k items on the scale [min, max]; a reverse-keyed answer v
// counts as min + max − v. A response's dimension score is the mean of its
// answered items if at least ⌈2k/3⌉ are answered, otherwise missing
// (questions.MinAnswered). Only submitted responses count (imported ones
// are submitted); a participant has at most one response per wave.
//
//   - Per wave (pre, then, post): every response of the wave with a score on
//     the dimension. The retrospective wave ("then", asked in the post wave)
//     covers every post response with a retrospective score, whether or not
//     its post score exists.
//   - Paired figures: the participants with both scores, D = post − pre (or
//     post − then in the then list); see reports/stats for each formula.
//     p-values across the dimensions of one report are Holm-adjusted, over
//     the p-values that are shown.
//   - Cronbach's α per dimension and wave, over responses that answered
//     every item of the dimension.
//   - Knowledge, per wave, pooled over every judged statement of the wave's
//     responses (a judgement and a confidence given; n = responses with at
//     least one): accuracy (share correct), mean confidence, bias = mean
//     confidence − accuracy (positive = overconfident), Brier score = mean
//     (confidence − correct)² with confidence in [0.5, 1] and correct 0 or 1.
//     Confidence is stored in percent and enters as a proportion.
//   - Calibration bins of ten points of confidence (50–59 %, …, 100 %): the
//     share correct among the answers in the bin.
//   - Breakdowns by every background question the instrument marks with a
//     breakdown name: per option, the people with a pre response (their
//     answer from the pre wave, else the post wave), their pairs, and per
//     dimension the mean pre score and the mean change.
//
// # Privacy rule
//
// No aggregate is shown or exported for fewer than the cohort's minimum
// group (default 5, never below 3) of people: a wave's description, an
// item's shares, a knowledge figure, a calibration bin, a correlation, a
// breakdown group, the drop-outs' mean all count people (never answers); a
// change counts matched pairs. A withheld figure is nil and carries its
// reason (Hidden: few_people or few_pairs), so every view can say why.
// Individual answers and change scores are never shown, only exported
// pseudonymously.
//
// # report.json
//
// The JSON form of Report; its field names are a contract:
//
//	{"cohort": "ws26", "instrument": "id@version", "min_group": 5, ["demo": true,]
//	 "dimensions": [ {per dimension: post against pre}, … ],
//	 "then":       [ {per dimension: post against the retrospective rating}, … ],
//	 "knowledge":  {"pre": {"n", "accuracy", "confidence", "bias", "brier", "suppressed"}, "post": {…}}}
//
// Each per-dimension object has dimension, n_pre, n_post, n_pairs,
// mean_pre, sd_pre, mean_post, sd_post, mean_diff, sd_diff, ci_low,
// ci_high, t, df, p_t, p_t_holm, d_z, d_av, w_plus, p_w, r_rb, alpha_pre,
// alpha_post and suppressed; in the then list "pre" means the
// retrospective rating. w_plus is the sum of the positive ranks (R's V);
// p_w follows R's wilcox.test(post, pre, paired = TRUE). A figure that
// cannot be computed (too few values, no variance) is null; a withheld one
// is null too, and its object says "suppressed": true. "demo": true stands
// only in the report of a cohort filled with synthetic answers.
//
// # quality.json
//
// The JSON form of Quality (BuildQuality), how well the questionnaire
// measured; its field names are a contract too:
//
//	{"cohort", "instrument", "min_group",
//	 "scales":    [{"dimension", "wave", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "omega", "suppressed",
//	               "items": [{"item", "mean", "sd", "missing", "r_drop", "alpha_if_dropped", "loading"}]}],
//	 "knowledge": [{"item", "wave", "n", "difficulty", "discrimination", "suppressed"}],
//	 "shift":     [{"dimension", "n", "mean_pre", "mean_then", "mean_diff", "sd_diff", "t", "df", "p", "d_z", "suppressed"}]}
//
// Waves are pre, then and post (knowledge: pre and post). A scale's n is
// its complete cases (responses of the wave with every item answered);
// all its figures but missing rest on them (reports/stats AnalyseScale).
// missing is the share of the wave's submitted responses (for then: the
// post responses) without a value for the item. A knowledge answer counts
// with its judgement and its confidence; discrimination is over the
// responses that answered every statement: r of the statement's 0/1 with
// the share correct on the others. The shift is the paired analysis of
// then − pre over the report's dimension scores. Privacy: a scale and a
// knowledge item by their n in people (a discrimination also by the
// responses behind it), a shift by its pairs; a withheld object keeps n,
// says "suppressed": true, and every figure is null. The page's flags and
// the shift's reading are ScaleQuality.ItemFlags, KnowledgeQuality.Flags
// and ReadShift.
package reports
