package questions

import (
	"fmt"
	"slices"
	"strings"
)

// Change kinds of Diff.
const (
	Added    = "added"
	Removed  = "removed"
	Reworded = "reworded" // a participant-facing text differs
	Rescaled = "rescaled" // the scale it is rated on differs
	Rekeyed  = "rekeyed"  // reverse keying, the correct answer, or the dimension differs
	Modified = "modified" // type, options or other answer choices differ
)

// Change is one difference between two instruments: what part (Section:
// "dimension", "item", "knowledge", "background", or "instrument" for the
// header), its id, the kind of change and, for changes, what was and is.
type Change struct {
	Section, ID, Kind string
	Field             string // which part changed: "text", "explanation", "reverse", …
	Old, New          string
}

// Diff lists what changed from a to b, element by element in b's order
// (removed ones after), by id: an element whose id is the same is the same
// element, reworded or rescaled; a new id is added.
func Diff(a, b *Instrument) []Change {
	var out []Change
	add := func(c Change) { out = append(out, c) }
	text := func(section, id, field string, x, y Text) {
		for _, l := range languagesOf(a, b) {
			if x[l] != y[l] {
				add(Change{section, id, Reworded, field + "." + l, x[l], y[l]})
			}
		}
	}
	for _, h := range []struct {
		field string
		x, y  Text
	}{{"title", a.Title, b.Title}, {"description", a.Description, b.Description}, {"rating_prompt", a.RatingPrompt, b.RatingPrompt},
		{"then_prompt", a.ThenPrompt, b.ThenPrompt}, {"knowledge_prompt", a.KnowledgePrompt, b.KnowledgePrompt}} {
		text("instrument", "", h.field, h.x, h.y)
	}

	dims := pair(a.Dimensions, b.Dimensions, func(d Dimension) string { return d.ID })
	for _, p := range dims.both {
		text("dimension", p[1].ID, "title", p[0].Title, p[1].Title)
		text("dimension", p[1].ID, "description", p[0].Description, p[1].Description)
	}
	dims.report("dimension", add, func(d Dimension) string { return d.Title.In("de") })

	items := pair(a.Items, b.Items, func(it Item) string { return it.ID })
	for _, p := range items.both {
		x, y := p[0], p[1]
		text("item", y.ID, "text", x.Text, y.Text)
		if sa, sb := a.ScaleOf(x).String(), b.ScaleOf(y).String(); sa != sb {
			add(Change{"item", y.ID, Rescaled, "scale", sa, sb})
		}
		if x.Reverse != y.Reverse {
			add(Change{"item", y.ID, Rekeyed, "reverse", fmt.Sprint(x.Reverse), fmt.Sprint(y.Reverse)})
		}
		if x.Dimension != y.Dimension {
			add(Change{"item", y.ID, Rekeyed, "dimension", x.Dimension, y.Dimension})
		}
	}
	items.report("item", add, func(it Item) string { return it.Text.In("de") })

	know := pair(a.Knowledge, b.Knowledge, func(k KnowledgeItem) string { return k.ID })
	for _, p := range know.both {
		x, y := p[0], p[1]
		text("knowledge", y.ID, "text", x.Text, y.Text)
		text("knowledge", y.ID, "explanation", x.Explanation, y.Explanation)
		if x.Correct != y.Correct {
			add(Change{"knowledge", y.ID, Rekeyed, "correct", fmt.Sprint(x.Correct), fmt.Sprint(y.Correct)})
		}
	}
	know.report("knowledge", add, func(k KnowledgeItem) string { return k.Text.In("de") })

	bg := pair(a.Background, b.Background, func(q BackgroundQuestion) string { return q.ID })
	for _, p := range bg.both {
		x, y := p[0], p[1]
		text("background", y.ID, "text", x.Text, y.Text)
		if x.Type != y.Type {
			add(Change{"background", y.ID, Modified, "type", x.Type, y.Type})
		}
		if x.Optional != y.Optional {
			add(Change{"background", y.ID, Modified, "optional", fmt.Sprint(x.Optional), fmt.Sprint(y.Optional)})
		}
		if x.Breakdown.On != y.Breakdown.On {
			add(Change{"background", y.ID, Modified, "breakdown", fmt.Sprint(x.Breakdown.On), fmt.Sprint(y.Breakdown.On)})
		}
		opts := pair(x.Options, y.Options, func(o Option) string { return o.Value })
		for _, o := range opts.both {
			text("background", y.ID, "option "+o[1].Value, o[0].Text, o[1].Text)
		}
		for _, o := range opts.added {
			add(Change{"background", y.ID, Modified, "options", "", "+" + o.Value})
		}
		for _, o := range opts.removed {
			add(Change{"background", y.ID, Modified, "options", "-" + o.Value, ""})
		}
	}
	bg.report("background", add, func(q BackgroundQuestion) string { return q.Text.In("de") })
	return out
}

// String is the scale's range with its German labels, for a diff: two
// scales are the same when their strings are.
func (s Scale) String() string {
	if len(s.Labels) == 0 {
		return fmt.Sprintf("%d–%d (%s … %s)", s.Min, s.Max, s.MinLabel.In("de"), s.MaxLabel.In("de"))
	}
	labels := make([]string, 0, len(s.Labels))
	for v := s.Min; v <= s.Max; v++ {
		labels = append(labels, s.PointLabel(v).In("de"))
	}
	return fmt.Sprintf("%d–%d (%s)", s.Min, s.Max, strings.Join(labels, " | "))
}

// languagesOf is every language of a and b, a's order first.
func languagesOf(a, b *Instrument) []string {
	langs := slices.Clone(a.Languages)
	for _, l := range b.Languages {
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	return langs
}

// paired is two lists of elements matched by id.
type paired[T any] struct {
	both           [][2]T
	added, removed []T
	id             func(T) string
}

func pair[T any](a, b []T, id func(T) string) paired[T] {
	p := paired[T]{id: id}
	for _, y := range b {
		i := slices.IndexFunc(a, func(x T) bool { return id(x) == id(y) })
		if i < 0 {
			p.added = append(p.added, y)
		} else {
			p.both = append(p.both, [2]T{a[i], y})
		}
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y T) bool { return id(x) == id(y) }) {
			p.removed = append(p.removed, x)
		}
	}
	return p
}

// report adds the added and removed elements, with their German text.
func (p paired[T]) report(section string, add func(Change), text func(T) string) {
	for _, y := range p.added {
		add(Change{Section: section, ID: p.id(y), Kind: Added, New: text(y)})
	}
	for _, x := range p.removed {
		add(Change{Section: section, ID: p.id(x), Kind: Removed, Old: text(x)})
	}
}
