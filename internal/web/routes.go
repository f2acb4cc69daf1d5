package web

import (
	"net/http"

	"github.com/dudao-edu/dudao/internal/census"
)

// routes registers every route of the application. State changes only on
// POST/PUT/DELETE; http.CrossOriginProtection refuses cross-site requests
// for those, and the SameSite=Lax session cookie is a second layer (plain
// HTTP intranets send Origin but not Sec-Fetch-Site).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	p, in := s.page, s.signedIn

	// Assets, at content-hashed URLs.
	mux.HandleFunc("GET /static/{hash}/{name...}", s.serveStatic)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.assets.URL("favicon.svg"), http.StatusMovedPermanently)
	})

	// Signing in and out; the language switch.
	mux.Handle("GET /login", p(s.loginForm))
	mux.Handle("POST /login", p(s.login))
	mux.Handle("POST /logout", p(s.logout))
	mux.Handle("POST /lang", p(s.setLang))

	// Pages.
	mux.Handle("GET /{$}", p(in(s.home)))
	mux.Handle("GET /overview", p(in(s.overviewPage)))
	mux.Handle("GET /county/{code}", p(in(s.countyPage)))
	mux.Handle("GET /county/{code}/export.xlsx", p(in(s.countyExportXLSX)))
	mux.Handle("GET /county/{code}/export.csv", p(in(s.countyExportCSV)))
	mux.Handle("GET /report/{code}/{format}", p(in(s.reportDownload))) // reports.go: 自评报告 or summary, pdf|xlsx|html
	mux.Handle("GET /school/{code}", p(in(s.schoolPage)))
	mux.Handle("GET /explain", p(in(s.explainPage)))
	mux.Handle("GET /standards", p(in(s.standardsPage)))

	// The whole standards (verdict.go, preschool.go, countyrecord.go):
	// every item and its judgement, evidence files, the preschool section and
	// kindergartens, the county's own figures.
	mux.Handle("GET /county/{code}/verdict", p(in(s.verdictPage)))
	mux.Handle("POST /county/{code}/judge", p(in(s.judge)))
	mux.Handle("GET /evidence/{id}", p(in(s.evidence)))
	mux.Handle("GET /county/{code}/preschool", p(in(s.preschoolPage)))
	mux.Handle("GET /kindergarten/{code}", p(in(s.kindergartenPage)))
	mux.Handle("GET /county/{code}/record", p(in(s.recordFormGet(census.KindCounty))))
	mux.Handle("POST /county/{code}/record", p(in(s.recordFormPost(census.KindCounty))))
	mux.Handle("GET /kindergarten/{code}/edit", p(in(s.recordFormGet(census.KindKindergarten))))
	mux.Handle("POST /kindergarten/{code}/edit", p(in(s.recordFormPost(census.KindKindergarten))))
	mux.Handle("GET /data/template/{file}", p(in(s.unitTemplate)))

	// 补短板 (planner.go, whatif.go, forecastview.go): the least-cost plan,
	// what-if scenarios (never changing the census data), early warning.
	mux.Handle("GET /county/{code}/plan", p(in(s.plannerPage)))
	mux.Handle("GET /county/{code}/plan.json", p(in(s.plannerJSON)))
	mux.Handle("GET /county/{code}/whatif", p(in(s.whatifPage)))
	mux.Handle("POST /county/{code}/whatif", p(in(s.whatifPage)))
	mux.Handle("POST /county/{code}/scenarios", p(in(s.saveScenario)))
	mux.Handle("POST /county/{code}/scenarios/{id}/delete", p(in(s.deleteScenario)))
	mux.Handle("GET /county/{code}/forecast", p(in(s.forecastView)))

	// Data entry.
	mux.Handle("GET /data", p(in(s.dataPage)))
	mux.Handle("POST /data/upload", p(in(s.upload)))
	mux.Handle("POST /data/confirm", p(in(s.confirmUpload)))
	mux.Handle("GET /data/template.xlsx", p(in(s.downloadTemplate)))
	mux.Handle("GET /data/records.xlsx", p(in(s.downloadRecords)))
	mux.Handle("GET /data/completeness", p(in(s.completenessPage)))
	mux.Handle("GET /school/{code}/edit", p(in(s.recordFormGet(census.KindSchool))))
	mux.Handle("POST /school/{code}/edit", p(in(s.recordFormPost(census.KindSchool))))

	// The account: password, API tokens; the audit log.
	mux.Handle("GET /account", p(in(s.accountPage)))
	mux.Handle("POST /account/password", p(in(s.changePassword)))
	mux.Handle("POST /account/tokens", p(in(s.createToken)))
	mux.Handle("POST /account/tokens/{id}/delete", p(in(s.deleteToken)))
	mux.Handle("GET /audit", p(in(s.auditPage)))

	// The JSON API, documented by the OpenAPI file.
	mux.Handle("GET /api/v1/openapi.json", http.HandlerFunc(s.openAPI))
	mux.Handle("GET /api/v1/me", s.api(s.apiMe))
	mux.Handle("GET /api/v1/years", s.api(s.apiYears))
	mux.Handle("GET /api/v1/regions", s.api(s.apiRegions))
	mux.Handle("GET /api/v1/schools", s.api(s.apiSchools))
	mux.Handle("GET /api/v1/records", s.api(s.apiRecords))
	mux.Handle("GET /api/v1/records/{year}/{code}", s.api(s.apiRecord))
	mux.Handle("PUT /api/v1/records/{year}/{code}", s.api(s.apiUpdateRecord))
	mux.Handle("GET /api/v1/evaluations", s.api(s.apiEvaluations))
	mux.Handle("GET /api/v1/evaluations/{county}", s.api(s.apiCountyEvaluation))
	mux.Handle("GET /api/v1/verdicts/{county}", s.api(s.apiVerdict))

	// Everything else: a translated 404 page.
	mux.Handle("/", p(func(w http.ResponseWriter, r *http.Request) error { return notFound("error.404") }))

	cop := http.NewCrossOriginProtection()
	return s.identify(securityHeaders(cop.Handler(mux)))
}

// securityHeaders sets the headers every response carries. The CSP allows
// only this origin: every script and style is embedded.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// home serves GET /: the account's own page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, scopeOf(userOf(r)).Home(), http.StatusSeeOther)
	return nil
}
