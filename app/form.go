package app

import (
	"strconv"
	"unicode/utf8"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/questions/clean"
)

// Form field names of a questionnaire page: a prefix and the item id.
const (
	prefixRating     = "r_" // self-rating today
	prefixThen       = "t_" // retrospective pre-rating (post wave)
	prefixKnowledge  = "k_" // true/false judgement
	prefixConfidence = "c_" // confidence in percent
	prefixChoice     = "b_" // background choice
	prefixText       = "x_" // free text
	notAnswered      = "na" // "keine Angabe"
)

// maxFields limits what a page form may carry; a free text's limit is
// clean.MaxText, the same for every source.
const maxFields = 200

// metaFields are the form fields that are not answers.
var metaFields = map[string]bool{"_csrf": true, "_rev": true, "nav": true}

// pageForm is a decoded, validated questionnaire page.
type pageForm struct {
	Values  map[string]string // the fields as sent, to show the page again
	Answers []db.Answer       // what will be stored
	Items   []string          // every item on the page, whose old answers are replaced
	// Problems maps a field to the message key of a mistake the participant
	// can fix; the page is shown again and nothing is saved.
	Problems map[string]string
	// Open are the questions left without any answer, not even „keine
	// Angabe“, in page order: a miss and a deliberate skip must not look
	// the same, so moving on asks once (see savePage), but never blocks.
	Open []string
}

// formError is input no questionnaire page can produce: a forged or broken
// request. Nothing of it is saved.
type formError struct {
	status int
	key    string
}

func (e *formError) Error() string { return e.key }

// decodePage checks every field of a submitted page against the instrument
// before anything is stored: unknown fields, repeated fields, values outside
// the scale and invalid text are rejected as a whole.
func decodePage(inst *questions.Instrument, page questions.Page, retro bool, fields [][2]string) (*pageForm, error) {
	if len(fields) > maxFields {
		return nil, &formError{400, "err_too_many_fields"}
	}
	f := &pageForm{Values: map[string]string{}, Problems: map[string]string{}}
	for _, kv := range fields {
		name, value := kv[0], kv[1]
		if metaFields[name] {
			continue
		}
		if _, dup := f.Values[name]; dup {
			return nil, &formError{400, "err_bad_request"}
		}
		if !utf8.ValidString(value) {
			return nil, &formError{400, "err_bad_encoding"}
		}
		f.Values[name] = value
	}
	f.Items = page.IDs
	expected := map[string]bool{}
	switch page.Kind {
	case questions.PageDimension:
		for _, it := range page.Items {
			expected[prefixRating+it.ID] = true
			if err := f.rating(inst.ScaleOf(it), it.ID, prefixRating, false); err != nil {
				return nil, err
			}
			if retro {
				expected[prefixThen+it.ID] = true
				if err := f.rating(inst.ScaleOf(it), it.ID, prefixThen, true); err != nil {
					return nil, err
				}
			}
		}
	case questions.PageKnowledge:
		for _, k := range inst.Knowledge {
			expected[prefixKnowledge+k.ID] = true
			expected[prefixConfidence+k.ID] = true
			if err := f.knowledge(k.ID); err != nil {
				return nil, err
			}
		}
	case questions.PageBackground:
		for _, q := range inst.Background {
			if q.Type == questions.BackgroundChoice {
				expected[prefixChoice+q.ID] = true
				if err := f.choice(q); err != nil {
					return nil, err
				}
			} else {
				expected[prefixText+q.ID] = true
				f.text(q)
			}
		}
	}
	for name := range f.Values {
		if !expected[name] {
			return nil, &formError{400, "err_unknown_item"}
		}
	}
	return f, nil
}

func (f *pageForm) rating(scale questions.Scale, item, prefix string, retro bool) error {
	v, sent := f.Values[prefix+item]
	if !sent || v == "" {
		f.Open = append(f.Open, prefix+item)
		return nil
	}
	a := db.Answer{Item: item, Retro: retro, Kind: db.KindRating}
	if v != notAnswered {
		n, err := strconv.Atoi(v)
		if err != nil || !scale.Contains(n) {
			return &formError{422, "err_out_of_scale"}
		}
		s := strconv.Itoa(n)
		a.Value = &s
	}
	f.Answers = append(f.Answers, a)
	return nil
}

func (f *pageForm) knowledge(item string) error {
	v, c := f.Values[prefixKnowledge+item], f.Values[prefixConfidence+item]
	if v != "" && v != "true" && v != "false" {
		return &formError{422, "err_out_of_scale"}
	}
	var conf int
	if c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || !questions.ValidConfidence(n) {
			return &formError{422, "err_out_of_scale"}
		}
		conf = n
	}
	switch {
	case v == "" && c == "":
		f.Open = append(f.Open, prefixKnowledge+item)
		return nil
	case v == "":
		f.Problems[prefixKnowledge+item] = "survey_need_judgement"
		return nil
	case c == "":
		f.Problems[prefixConfidence+item] = "survey_need_confidence"
		return nil
	}
	f.Answers = append(f.Answers, db.Answer{Item: item, Kind: db.KindKnowledge, Value: &v, Confidence: &conf})
	return nil
}

// choice reads a background choice. Every choice offers „keine Angabe“, as
// the consent text promises for every question: it is stored as an answer
// without a value, as for a rating. Nothing chosen at all is an open
// question, asked about once, also where the instrument calls it required.
func (f *pageForm) choice(q questions.BackgroundQuestion) error {
	v := f.Values[prefixChoice+q.ID]
	switch {
	case v == "":
		f.Open = append(f.Open, prefixChoice+q.ID)
	case v == notAnswered && !q.HasOption(v):
		f.Answers = append(f.Answers, db.Answer{Item: q.ID, Kind: db.KindBackground})
	case !q.HasOption(v):
		return &formError{422, "err_out_of_scale"}
	default:
		f.Answers = append(f.Answers, db.Answer{Item: q.ID, Kind: db.KindBackground, Value: &v})
	}
	return nil
}

// text takes a free-text answer through the one normaliser of outside text
// (browsers send textarea line breaks as CRLF; pasted control characters
// are invisible and break exports).
func (f *pageForm) text(q questions.BackgroundQuestion) {
	v := clean.Text(f.Values[prefixText+q.ID])
	switch {
	case clean.TooLong(v):
		f.Problems[prefixText+q.ID] = "survey_text_too_long"
	case v == "" && !q.Optional:
		f.Problems[prefixText+q.ID] = "survey_need_text"
	case v != "":
		f.Answers = append(f.Answers, db.Answer{Item: q.ID, Kind: db.KindText, Value: &v})
	}
}

// answerValues turns stored answers into form values, to fill a page in.
func answerValues(answers []db.Answer) map[string]string {
	values := map[string]string{}
	for _, a := range answers {
		v := notAnswered
		if a.Value != nil {
			v = *a.Value
		}
		switch a.Kind {
		case db.KindRating:
			if a.Retro {
				values[prefixThen+a.Item] = v
			} else {
				values[prefixRating+a.Item] = v
			}
		case db.KindKnowledge:
			values[prefixKnowledge+a.Item] = v
			if a.Confidence != nil {
				values[prefixConfidence+a.Item] = strconv.Itoa(*a.Confidence)
			}
		case db.KindBackground:
			values[prefixChoice+a.Item] = v
		case db.KindText:
			values[prefixText+a.Item] = v
		}
	}
	return values
}
