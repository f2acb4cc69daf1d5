// Command gencensus writes a large synthetic census file (CSV or XLSX) for
// timing imports end to end:
//
//	go run ./bench/gencensus -n 100000 -o /tmp/100k.csv
//	go run ./bench/gencensus -n 100000 -o /tmp/100k.xlsx
//	/usr/bin/time -v dudao import --db sqlite:/tmp/bench.db /tmp/100k.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
)

func main() {
	n := flag.Int("n", 100000, "school records")
	counties := flag.Int("counties", 0, "counties (default: n/72, as in a nation)")
	out := flag.String("o", "", "output file, .csv or .xlsx")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gencensus: -o FILE.csv|FILE.xlsx is required")
		os.Exit(2)
	}
	c := *counties
	if c == 0 {
		c = max(1, *n/72)
	}
	schools := demo.Nation(1, c, *n)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencensus:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if strings.HasSuffix(*out, ".xlsx") {
		err = censusio.WriteSchoolsXLSX(w, schools)
	} else {
		err = censusio.WriteSchoolsCSV(w, schools)
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencensus:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d records, %d counties\n", *out, len(schools), c)
}
