// Command load is a bounded load test of a running dudao server on this
// machine: N concurrent users each sign in (once, before the clock starts),
// then browse county pages until a request count or a time limit is reached.
// It prints latency percentiles and errors. It refuses any address that is
// not loopback: it is for measuring a server on the same machine.
//
//	go run ./bench/load -url http://127.0.0.1:8080 -login admin:PASSWORD -users 200 -requests 20000 -duration 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "the server (loopback only)")
	login := fs.String("login", "", "USER:PASSWORD of the account every virtual user signs in as")
	users := fs.Int("users", 200, "concurrent users")
	requests := fs.Int("requests", 20000, "stop after this many page requests in all")
	duration := fs.Duration("duration", 60*time.Second, "stop after this long at the latest")
	think := fs.Duration("think", 0, "pause of each user between pages (0: none, the hardest case)")
	paths := fs.String("paths", "", "comma-separated paths to browse (default: every county page linked from /overview)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if err := loopbackOnly(u.Hostname()); err != nil {
		return err
	}
	user, pass, ok := strings.Cut(*login, ":")
	if !ok {
		return fmt.Errorf("-login USER:PASSWORD is required")
	}
	// The users ask for gzip, as every browser does, so the server
	// compresses as it would for them; but their bodies are counted and
	// dropped as they come, not inflated: on a machine shared with the
	// server, the load client should take as little of it as it can (a
	// browser inflates on its user's machine). For the same reason the
	// client's collector runs less often than by default.
	debug.SetGCPercent(400)
	transport := &http.Transport{MaxIdleConnsPerHost: *users, MaxConnsPerHost: *users, IdleConnTimeout: time.Minute, DisableCompression: true}
	clients := make([]*http.Client, *users)
	fmt.Printf("signing in %d users…\n", *users)
	for i := range clients {
		jar, _ := cookiejar.New(nil)
		clients[i] = &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := clients[i].PostForm(*base+"/login", url.Values{"username": {user}, "password": {pass}})
		if err != nil {
			return fmt.Errorf("sign-in %d: %w", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("sign-in %d: status %d (wrong password, or rate-limited?)", i, resp.StatusCode)
		}
	}
	var targets []string
	if *paths != "" {
		targets = strings.Split(*paths, ",")
	} else {
		// Read inflated, to find the county pages.
		reader := &http.Client{Jar: clients[0].Jar, Timeout: 30 * time.Second}
		resp, err := reader.Get(*base + "/overview")
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		seen := map[string]bool{}
		for _, m := range regexp.MustCompile(`href="(/county/[0-9]{6})`).FindAllStringSubmatch(string(body), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				targets = append(targets, m[1])
			}
		}
		if len(targets) == 0 {
			return fmt.Errorf("no county pages found on /overview (status %d)", resp.StatusCode)
		}
	}
	fmt.Printf("%d users browsing %d pages: at most %d requests in %s, think time %s\n", *users, len(targets), *requests, *duration, *think)

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var issued atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var errs []string
	var bytes atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for i := range *users {
		wg.Add(1)
		go func(c *http.Client, r *rand.Rand) {
			defer wg.Done()
			for ctx.Err() == nil && issued.Add(1) <= int64(*requests) {
				path := targets[r.IntN(len(targets))]
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "GET", *base+path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := c.Do(req)
				var problem string
				if err != nil {
					if ctx.Err() != nil {
						return // the time limit, not the server
					}
					problem = err.Error()
				} else {
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					bytes.Add(n)
					if resp.StatusCode != 200 {
						problem = fmt.Sprintf("%s: status %d", path, resp.StatusCode)
					}
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if problem != "" {
					errs = append(errs, problem)
				}
				mu.Unlock()
				if *think > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(*think/2 + time.Duration(r.Int64N(int64(*think)))):
					}
				}
			}
		}(clients[i], rand.New(rand.NewPCG(uint64(i), 42)))
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("requests %d in %s (%.0f/s), %.1f MB as sent (gzip)\n", len(lat), elapsed.Round(time.Millisecond), float64(len(lat))/elapsed.Seconds(), float64(bytes.Load())/1e6)
	fmt.Printf("latency p50 %s  p95 %s  p99 %s  max %s\n", pct(.50).Round(time.Microsecond*100), pct(.95).Round(time.Microsecond*100), pct(.99).Round(time.Microsecond*100), pct(1).Round(time.Microsecond*100))
	fmt.Printf("errors %d\n", len(errs))
	for i, e := range errs {
		if i == 5 {
			fmt.Printf("  … and %d more\n", len(errs)-5)
			break
		}
		fmt.Println("  " + e)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d errors", len(errs))
	}
	return nil
}

// loopbackOnly refuses a host that is not a loopback address.
func loopbackOnly(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address: this tool only measures a server on this machine (127.0.0.1, ::1, localhost)", host)
	}
	return nil
}
