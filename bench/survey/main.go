// Command survey is a bounded load test of the 社会认可度 answering pages:
// it starts the server on loopback over a fresh database (SQLite in a
// temporary directory, or the PostgreSQL URL given), creates a survey with
// N single-use codes, and has N respondents — each its own phone (cookie
// jar) on its own loopback source address — open their code, read for a
// while and submit, all within the duration. Then it submits a sample of
// the codes again, concurrently, and checks that every one is refused and
// that the database holds every response exactly once. It prints latency
// percentiles, errors and the stored counts, and exits non-zero on any
// error or lost or duplicated response. It only ever talks to 127.0.0.0/8.
//
//	go run ./bench/survey -n 500 -spread 30s -think 20s
//	go run ./bench/survey -n 500 -db postgres://…/an_empty_database
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
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
	"github.com/dudao-edu/dudao/internal/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "survey:", err)
		os.Exit(1)
	}
}

type result struct {
	get, post time.Duration
	err       error
}

func run() error {
	n := flag.Int("n", 500, "respondents (one single-use code each)")
	spread := flag.Duration("spread", 30*time.Second, "respondents start evenly over this time")
	think := flag.Duration("think", 20*time.Second, "time each respondent takes to answer (above the reading-time floor)")
	limit := flag.Duration("duration", 60*time.Second, "every respondent must be done within this time")
	again := flag.Int("again", 100, "codes submitted a second time, concurrently, after the run")
	dsn := flag.String("db", "", "database (default: SQLite in a temporary directory)")
	flag.Parse()
	if *n < 1 || *n > 5000 || *spread+*think >= *limit {
		return fmt.Errorf("want 1 ≤ n ≤ 5000 and spread + think < duration")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *limit+time.Minute)
	defer cancel()
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "dudao-survey-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := survey.Standard("yzjh2017")
	if err != nil {
		return err
	}
	now := time.Now()
	sv, err := st.CreateSurvey(ctx, "bench", store.Survey{County: "990101", Standard: "yzjh2017", Profile: "national", Year: now.Year(),
		Title: q.Title, Questionnaire: q, Population: 500_000, Opens: now.Add(-time.Hour), Closes: now.Add(24 * time.Hour)})
	if err != nil {
		return err
	}
	areas := q.Areas()
	var tokens []string
	for i := 0; i < *n; {
		g, a := rand.IntN(len(q.Groups)), rand.IntN(len(areas))
		k := min(*n-i, 50)
		b, err := st.IssueCodes(ctx, "bench", sv.ID, q.Groups[g].ID, areas[a], k)
		if err != nil {
			return err
		}
		for s := b.First; s <= b.Last; s++ {
			tokens = append(tokens, survey.Sign(sv.Secret, survey.Token{Survey: sv.ID, Group: g, Area: a, Serial: s}))
		}
		i += k
	}
	srv, err := web.New(web.Config{Store: st})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, l) }()
	defer func() { stop(); <-done }()
	base := "http://" + l.Addr().String()

	startRE := regexp.MustCompile(`name="start" value="([A-Z0-9]+)"`)
	// respond is one phone answering one code.
	respond := func(i int, token string, wait time.Duration) result {
		var r result
		jar, _ := cookiejar.New(nil)
		src := &net.TCPAddr{IP: net.IPv4(127, byte(1+i/250%200), byte(i%250), 2)}
		c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{
			DialContext: (&net.Dialer{LocalAddr: src}).DialContext, DisableKeepAlives: true}}
		t0 := time.Now()
		resp, err := c.Get(base + "/s/" + token)
		if err != nil {
			r.err = err
			return r
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		r.get = time.Since(t0)
		m := startRE.FindSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			r.err = fmt.Errorf("GET %d", resp.StatusCode)
			return r
		}
		time.Sleep(wait)
		f := url.Values{"start": {string(m[1])}}
		tk, _ := survey.ParseToken(sv.Secret, token)
		for _, x := range q.QuestionsFor(q.Groups[tk.Group].ID) {
			f.Set("q."+x.ID, strconv.Itoa(1+rand.IntN(5)))
		}
		t1 := time.Now()
		resp, err = c.PostForm(base+"/s/"+token, f)
		if err != nil {
			r.err = err
			return r
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		r.post = time.Since(t1)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-state="thanks"`) {
			r.err = fmt.Errorf("POST %d", resp.StatusCode)
		}
		return r
	}

	fmt.Printf("survey %d: %d respondents starting over %s, answering in %s, on %s\n", sv.ID, *n, *spread, *think, strings.SplitN(*dsn, ":", 2)[0])
	results := make([]result, *n)
	var wg sync.WaitGroup
	start := time.Now()
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(int64(*spread) * int64(i) / int64(*n)))
			results[i] = respond(i, tok, *think)
		}()
	}
	wg.Wait()
	took := time.Since(start)

	// The same codes again, all at once: every one refused.
	var refusedOK, againErr int
	var mu sync.Mutex
	for _, i := range rand.Perm(*n)[:min(*again, *n)] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 30 * time.Second}
			resp, err := c.PostForm(base+"/s/"+tokens[i], url.Values{"start": {"X"}})
			mu.Lock()
			defer mu.Unlock()
			if err == nil && resp.StatusCode == http.StatusConflict {
				refusedOK++
			} else {
				againErr++
			}
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()

	var errs int
	var gets, posts []time.Duration
	for _, r := range results {
		if r.err != nil {
			errs++
			if errs <= 5 {
				fmt.Println("error:", r.err)
			}
			continue
		}
		gets, posts = append(gets, r.get), append(posts, r.post)
	}
	rs, err := st.SurveyResponses(ctx, sv.ID)
	if err != nil {
		return err
	}
	seen := map[int64]int{}
	status := map[survey.Status]int{}
	flags := map[survey.Flag]int{}
	for _, r := range rs {
		seen[r.Serial]++
		status[r.Status]++
		for _, f := range r.Flags {
			flags[f]++
		}
	}
	dups := 0
	for _, k := range seen {
		if k > 1 {
			dups++
		}
	}
	fmt.Printf("all %d respondents done in %s (limit %s): %d errors\n", *n, took.Round(time.Millisecond), *limit, errs)
	fmt.Printf("GET  p50 %s p95 %s p99 %s max %s\n", pct(gets, 50), pct(gets, 95), pct(gets, 99), pct(gets, 100))
	fmt.Printf("POST p50 %s p95 %s p99 %s max %s\n", pct(posts, 50), pct(posts, 95), pct(posts, 99), pct(posts, 100))
	fmt.Printf("second submissions: %d refused (409), %d otherwise\n", refusedOK, againErr)
	fmt.Printf("stored: %d responses for %d codes, %d codes stored twice; status %v; flags %v\n", len(rs), len(seen), dups, status, flags)
	if errs > 0 || againErr > 0 || len(rs) != *n || len(seen) != *n || dups > 0 || took > *limit {
		return fmt.Errorf("FAILED")
	}
	fmt.Println("ok")
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))].Round(time.Microsecond)
}
