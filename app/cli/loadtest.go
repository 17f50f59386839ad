package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"einordnung/app/loadtest"
	"einordnung/db"
)

// loadtest plays simulated participants through the real journey against a
// running server and prints throughput, latencies and every error.
func (c *cli) loadtest(args []string) error {
	fs, _ := c.flags("loadtest", "loadtest --url URL --cohort SLUG [--participants N] [--duration D] [--wave pre|post] [--allow-remote]")
	rawURL := fs.String("url", "http://"+defaultAddr, "address of the running server")
	cohort := fs.String("cohort", "", "short code of a cohort whose wave is open")
	participants := fs.Int("participants", 32, "simulated participants at once")
	duration := fs.Duration("duration", 30*time.Second, "how long participants start new questionnaires (each finishes the one it is in)")
	wave := fs.String("wave", string(db.Pre), "the cohort's open wave: pre, or post (participants then go on unlinked with a new code)")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit of every request")
	remote := fs.Bool("allow-remote", false, "allow a server that is not on this machine (never load-test a server you do not run)")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *cohort == "" {
		return orUsage(err, fs)
	}
	w, ok := db.ParseWave(*wave)
	if !ok {
		return fmt.Errorf("wave %q: use pre or post", *wave)
	}
	lt, err := loadtest.New(loadtest.Config{
		URL: *rawURL, Cohort: *cohort, Participants: *participants, Duration: *duration,
		Wave: string(w), Timeout: *timeout, AllowRemote: *remote,
	})
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := lt.Preflight(ctx); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Lasttest: %d Teilnehmende gegen %s, Jahrgang %s, %s …\n", *participants, lt.Base(), *cohort, *duration)
	rep := lt.Run(ctx)
	rep.Print(c.out)
	if n := rep.Errors(); n > 0 {
		return fmt.Errorf("loadtest: %d errors", n)
	}
	return nil
}
