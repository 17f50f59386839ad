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
}

// Pages returns the questionnaire's pages: one per dimension, then the
// knowledge page (if any), then the background page (if any). Both waves use
// the same pages; the post wave adds the retrospective rating to each item.
func (in *Instrument) Pages() []Page {
	pages := make([]Page, 0, len(in.Dimensions)+2)
	for _, d := range in.Dimensions {
		pages = append(pages, Page{Kind: PageDimension, Dimension: d, Items: in.ItemsOf(d.ID)})
	}
	if len(in.Knowledge) > 0 {
		pages = append(pages, Page{Kind: PageKnowledge})
	}
	if len(in.Background) > 0 {
		pages = append(pages, Page{Kind: PageBackground})
	}
	return pages
}
