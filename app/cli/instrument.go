package cli

import (
	"fmt"
	"text/tabwriter"

	"einordnung/questions"
)

func (c *cli) instrument(args []string) error {
	fs, _ := c.flags("instrument list", "instrument list")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 || rest[0] != "list" {
		return orUsage(err, fs)
	}
	set, err := questions.Load()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTRUMENT\tTITLE\tDIMENSIONS\tITEMS\tKNOWLEDGE")
	for _, in := range set.All() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", in.Ref(), in.Title.DE, len(in.Dimensions), len(in.Items), len(in.Knowledge))
	}
	return tw.Flush()
}
