package questions

// PageKind says what a questionnaire page asks.
type PageKind string

// Page kinds, in the order they appear.
const (
	PageDimension  PageKind = "dimension"
	PageKnowledge  PageKind = "knowledge"
	PageBackground PageKind = "background"
)

// Page is one page of the questionnaire: a dimension's self-ratings, the
// knowledge items, or the background questions.
type Page struct {
	Kind      PageKind
	Dimension Dimension // only for PageDimension
	Items     []Item    // only for PageDimension
	// IDs are the ids of every item, knowledge statement or background
	// question answered on the page.
	IDs []string
}

// Pages returns the questionnaire's pages: one per dimension, then the
// knowledge page (if any), then the background page (if any). Both waves use
// the same pages; the post wave adds the retrospective rating to each item.
// Every survey request asks for them, so a parsed instrument keeps them;
// callers must not change the slice.
func (in *Instrument) Pages() []Page {
	if in.pages != nil {
		return in.pages
	}
	return in.buildPages()
}

func (in *Instrument) buildPages() []Page {
	pages := make([]Page, 0, len(in.Dimensions)+2)
	for _, d := range in.Dimensions {
		p := Page{Kind: PageDimension, Dimension: d, Items: in.ItemsOf(d.ID)}
		for _, it := range p.Items {
			p.IDs = append(p.IDs, it.ID)
		}
		pages = append(pages, p)
	}
	if len(in.Knowledge) > 0 {
		p := Page{Kind: PageKnowledge}
		for _, k := range in.Knowledge {
			p.IDs = append(p.IDs, k.ID)
		}
		pages = append(pages, p)
	}
	if len(in.Background) > 0 {
		p := Page{Kind: PageBackground}
		for _, q := range in.Background {
			p.IDs = append(p.IDs, q.ID)
		}
		pages = append(pages, p)
	}
	return pages
}
