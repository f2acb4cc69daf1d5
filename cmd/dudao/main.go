// Command dudao evaluates county education against the national supervision
// standards (教育督导评估). See the README.
package main

import (
	"context"
	"os"

	"github.com/dudao-edu/dudao/internal/cli"
)

func main() { os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
