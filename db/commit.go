package db

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// committer is SQLite's group commit. SQLite makes a transaction durable
// with an fsync at COMMIT, and one writer connection commits one
// transaction at a time, so saves that arrive while a commit is running
// would each wait for their own fsync. Instead, everything that queued up
// meanwhile runs in the next transaction, each write in its own savepoint:
// one fsync makes all of them durable, a write that fails rolls back alone,
// and every caller hears back only after the commit that holds its write.
// Under light load a batch is a single write and nothing waits.
type committer struct {
	db   *gorm.DB
	jobs chan commitJob
	done chan struct{}

	mu     sync.RWMutex // held for reading while sending on jobs
	closed bool

	commits, writes atomic.Int64 // for CommitStats
}

// CommitStats reports how many transactions the group commit ran and how
// many writes they held; writes/commits is the mean batch size. PostgreSQL
// has no group commit here: both are 0.
func (s *Store) CommitStats() (commits, writes int64) {
	if s.commits == nil {
		return 0, 0
	}
	return s.commits.commits.Load(), s.commits.writes.Load()
}

type commitJob struct {
	write  func(tx *gorm.DB) error
	result chan error
}

// maxBatch bounds one transaction, so a long queue is committed in steps
// and no caller waits for far more than its share.
const maxBatch = 128

var errClosed = errors.New("db: store is closed")

func newCommitter(g *gorm.DB) *committer {
	c := &committer{db: g, jobs: make(chan commitJob, maxBatch), done: make(chan struct{})}
	go c.loop()
	return c
}

// write runs a participant's write in a transaction: on SQLite through the
// group commit (see committer); PostgreSQL commits concurrent transactions
// side by side and groups their WAL flushes itself.
func (s *Store) write(w func(tx *gorm.DB) error) error {
	if s.commits == nil {
		return safely(func() error { return s.w.Transaction(w) })
	}
	return s.commits.do(w)
}

// do runs write in a transaction and returns once it is committed (or failed).
func (c *committer) do(write func(tx *gorm.DB) error) error {
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errClosed
	}
	job := commitJob{write: write, result: make(chan error, 1)}
	c.jobs <- job
	c.mu.RUnlock()
	return <-job.result
}

// close lets queued writes finish and stops the loop.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.jobs)
	}
	c.mu.Unlock()
	<-c.done
}

func (c *committer) loop() {
	defer close(c.done)
	batch := make([]commitJob, 0, maxBatch)
	for job := range c.jobs {
		batch = append(batch[:0], job)
	fill:
		for len(batch) < maxBatch {
			select {
			case next, ok := <-c.jobs:
				if !ok {
					break fill
				}
				batch = append(batch, next)
			default:
				break fill
			}
		}
		c.commit(batch)
	}
}

// commit runs one batch in one transaction and tells every caller its outcome.
func (c *committer) commit(batch []commitJob) {
	c.commits.Add(1)
	c.writes.Add(int64(len(batch)))
	if len(batch) == 1 {
		batch[0].result <- safely(func() error { return c.db.Transaction(batch[0].write) })
		return
	}
	errs := make([]error, len(batch))
	err := safely(func() error {
		return c.db.Transaction(func(tx *gorm.DB) error {
			for i, job := range batch {
				// A nested transaction is a savepoint: a failing write
				// rolls back to it and leaves the others in place.
				errs[i] = safely(func() error { return tx.Transaction(job.write) })
			}
			return nil
		})
	})
	for i, job := range batch {
		if err != nil && errs[i] == nil {
			errs[i] = err // the commit failed: nothing of this batch is stored
		}
		job.result <- errs[i]
	}
}

// safely turns a panic in a write into an error, so that one bad write
// cannot take the server (and every other queued write) down.
func safely(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("db: write panicked: %v", p)
		}
	}()
	return f()
}
