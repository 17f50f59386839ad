package db

import (
	"slices"
	"sync"
	"time"
)

// cohortCache answers CohortByID and CohortBySlug from memory for a moment.
// Every survey request needs its cohort (two queries: the cohort and its
// waves), and cohorts change rarely. A change made through this Store
// clears the cache at once; one made elsewhere (the command line on the same
// SQLite file, another instance on PostgreSQL) shows within cohortCacheTTL.
type cohortCache struct {
	mu    sync.Mutex
	byID  map[uint]cachedCohort
	slugs map[string]uint
}

type cachedCohort struct {
	cohort Cohort
	until  time.Time
}

const (
	cohortCacheTTL   = 2 * time.Second
	cohortCacheLimit = 10_000
)

// get returns a copy of the cohort with the given id, if it is fresh.
func (cc *cohortCache) get(id uint) (*Cohort, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e, ok := cc.byID[id]
	if !ok || time.Now().After(e.until) {
		return nil, false
	}
	c := e.cohort
	c.Waves = slices.Clone(c.Waves) // callers may change their copy
	return &c, true
}

// bySlug returns a copy of the cohort with the given short code, if fresh.
func (cc *cohortCache) bySlug(slug string) (*Cohort, bool) {
	cc.mu.Lock()
	id, ok := cc.slugs[slug]
	cc.mu.Unlock()
	if !ok {
		return nil, false
	}
	return cc.get(id)
}

func (cc *cohortCache) keep(c *Cohort) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.byID == nil || len(cc.byID) >= cohortCacheLimit {
		cc.byID, cc.slugs = map[uint]cachedCohort{}, map[string]uint{}
	}
	kept := *c
	kept.Waves = slices.Clone(c.Waves)
	cc.byID[c.ID] = cachedCohort{cohort: kept, until: time.Now().Add(cohortCacheTTL)}
	cc.slugs[c.Slug] = c.ID
}

// forget drops everything; every change to a cohort calls it.
func (cc *cohortCache) forget() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.byID, cc.slugs = nil, nil
}
