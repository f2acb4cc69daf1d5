package web

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"

	"github.com/dudao-edu/dudao/internal/census"
)

// route is one route of the application: its pattern and handler, and
// what it names, which the access test (access_test.go) reads to try every
// route with codes inside and outside each account's scope.
type route struct {
	pattern string
	handler http.Handler
	// names is what the route is about and which parameter says so:
	// "county {code}", "county ?county", "region {code}", "region ?region",
	// "counties ?county" (a list of what is in scope, filtered to a county:
	// a school account's own county too),
	// "school {code}", "kindergarten {code}", "evidence {id}",
	// "scenario {id}" (of the county {code}), "survey {id}", "plan {id}" and
	// "plantask {id}" (a work plan of a region, one of its tasks), "visit {id}"
	// (an inspection visit to a 校外培训机构), "token {id}" (of the
	// account), "upload file" (the records in the file), "upload token" (a
	// preview's confirm token); "" when it names nothing outside the
	// account (its own page, or a list of what is in its scope); "public"
	// for what anyone may ask without signing in.
	names string
}

// routes registers every route of the application, from routeTable. State
// changes only on POST/PUT/DELETE; http.CrossOriginProtection refuses
// cross-site requests for those, and the SameSite=Lax session cookie is a
// second layer (plain HTTP intranets send Origin but not Sec-Fetch-Site).
// Responses are compressed (compress).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, rt.handler)
	}
	cop := http.NewCrossOriginProtection()
	return compress(s.identify(securityHeaders(cop.Handler(s.setupGate(mux)))))
}

// compressible are the content types compress compresses: text. Downloads
// that are compressed already (xlsx, docx and zip are zip files; PDFs,
// PNGs) are sent as they are: gzhttp's default filter would compress the
// Office files, whose types do not say zip.
var compressible = []string{
	"text/html", "text/css", "text/javascript", "application/javascript",
	"application/json", "text/csv", "text/plain", "image/svg+xml",
}

// compress serves the responses of next compressed, gzip or zstd, to a
// browser that accepts it: a county page's 58 KB of HTML packs to 10 KB,
// the JSON of its evaluation 110 KB to 14 KB, which matters on a county
// office's line and on a phone. Responses under 1 KB are left alone, and
// so are responses that set their own Content-Encoding (the pre-compressed
// static files, assets.go).
//
// A page can hold a secret (an API token shown once, survey codes) next to
// text from the request, the setting of a BREACH attack on the compressed
// size; content-based random padding (Heal the Breach) hides the size.
func compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.ContentTypes(compressible),
		gzhttp.RandomJitter(32, 0, false),
		// The fastest gzip level: at the default one, compressing a county
		// page took 0.5 ms, longer than making it (0.4 ms), and halved
		// what a server answers under load; the fastest gives a few
		// percent more bytes at a quarter of the time.
		gzhttp.CompressionLevel(gzip.BestSpeed),
	)
	if err != nil {
		panic(err) // the options are constants: a bad one fails every test
	}
	return wrap(next)
}

// routeTable is every route of the application, grouped by comments.
func (s *Server) routeTable() []route {
	p, in := s.page, s.signedIn
	pg := func(h handlerFunc) http.Handler { return p(in(h)) }
	return []route{
		// Assets, at content-hashed URLs.
		{"GET /static/{hash}/{name...}", http.HandlerFunc(s.serveStatic), "public"},
		// The checklist's service worker, at a fixed URL (assets.go).
		{"GET /sw.js", http.HandlerFunc(s.serveWorker), "public"},
		{"GET /favicon.ico", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, s.assets.URL("favicon.svg"), http.StatusMovedPermanently)
		}), "public"},

		// Signing in and out; the language switch.
		{"GET /login", p(s.loginForm), "public"},
		{"POST /login", p(s.login), "public"},
		{"POST /logout", p(s.logout), "public"},
		{"POST /lang", p(s.setLang), "public"},
		// The first-run set-up (setup.go), while no account exists.
		{"GET /setup", p(s.setupGet), "public"},
		{"POST /setup", p(s.setupPost), "public"},
		{"GET /setup/done", pg(s.setupDone), ""},

		// Pages.
		{"GET /{$}", pg(s.home), ""},
		{"GET /overview", pg(s.overviewPage), "region ?region"},
		{"GET /compare", pg(s.compareGet), "region ?region"}, // compare.go: counties × CVs and items
		{"GET /compare.xlsx", pg(s.compareXLSX), "region ?region"},
		{"GET /overview/map/{code}", pg(s.mapShapes), "region {code}"}, // geo.go: the shapes the overview's map draws
		{"GET /county/{code}", pg(s.countyPage), "county {code}"},
		{"GET /county/{code}/export.xlsx", pg(s.countyExportXLSX), "county {code}"},
		{"GET /county/{code}/export.csv", pg(s.countyExportCSV), "county {code}"},
		{"GET /report/{code}/{format}", pg(s.reportDownload), "region {code}"}, // reports.go: 自评报告 or summary, pdf|xlsx|html
		{"GET /school/{code}", pg(s.schoolPage), "school {code}"},
		{"GET /explain", pg(s.explainPage), "county ?county"},
		{"GET /standards", pg(s.standardsPage), ""},

		// The reporting chain (tasks.go, inbox.go): the inbox, reporting
		// tasks, a unit's review, the steps, spot checks.
		{"GET /inbox", pg(s.inboxPage), ""},
		{"GET /tasks", pg(s.tasksPage), ""},
		{"POST /tasks", pg(s.openTask), ""},
		{"GET /task/{id}", pg(s.taskPageGet), "task {id}"},
		{"GET /task/{id}/{kind}/{code}", pg(s.unitPageGet), "taskunit {code}"},
		{"GET /task/{id}/{kind}/{code}/prefill.xlsx", pg(s.prefillXLSX), "taskunit {code}"},
		{"POST /task/{id}/{kind}/{code}/step", pg(s.unitStep), "taskunit {code}"},
		{"POST /task/{id}/spotcheck", pg(s.drawSpotCheck), "county ?county"},
		{"POST /task/{id}/spotcheck/{check}/finding", pg(s.spotFinding), "county ?county"},

		// Recognition cases (cases.go): 自评 → 复核 → 评估 → 整改 → 公示 → 认定,
		// inspections, findings and their tickets, documents, the public notice.
		{"GET /cases", pg(s.casesPage), ""},
		{"POST /cases", pg(s.openCase), ""},
		{"GET /case/{id}", pg(s.casePageGet), "case {id}"},
		{"POST /case/{id}/step", pg(s.caseStep), "case {id}"},
		{"POST /case/{id}/inspection", pg(s.drawInspection), "case {id}"},
		{"GET /case/{id}/inspection/{ins}/check", pg(s.checklist), "case {id}"},
		{"POST /case/{id}/inspection/{ins}/sync", pg(s.syncChecklist), "case {id}"},
		{"GET /case/{id}/inspection/{ins}/{format}", pg(s.visitPlan), "case {id}"},
		{"POST /case/{id}/finding", pg(s.raiseFinding), "case {id}"},
		{"POST /case/{id}/monitor", pg(s.raiseMonitoring), "case {id}"},
		{"POST /case/{id}/engine-findings", pg(s.raiseEngineFindings), "case {id}"},
		{"POST /case/{id}/objection", pg(s.fileObjection), "case {id}"},
		{"POST /case/{id}/objection/{oid}/answer", pg(s.answerObjection), "case {id}"},
		{"GET /case/{id}/doc/{doc}/{format}", pg(s.caseDocument), "case {id}"},
		{"GET /case/{id}/package.zip", pg(s.casePackage), "case {id}"}, // casepackage.go: the 自评材料 in one file
		{"GET /ticket/{id}", pg(s.ticketPageGet), "ticket {id}"},
		{"POST /ticket/{id}/step", pg(s.ticketStep), "ticket {id}"},
		// 校外培训机构 inspections and complaints (inspections.go): a
		// county's campaigns, visits, rectification orders and complaints
		// (tickets of the one machinery above), a visit's page, its orders
		// and penalty decision.
		{"GET /county/{code}/inspections", pg(s.inspectionsPageGet), "county {code}"},
		{"POST /county/{code}/inspections/campaigns", pg(s.createCampaign), "county {code}"},
		{"POST /county/{code}/inspections/visits", pg(s.recordVisit), "county {code}"},
		{"POST /county/{code}/complaints", pg(s.raiseComplaint), "county {code}"},
		{"GET /inspection/{id}", pg(s.visitPageGet), "visit {id}"},
		{"POST /inspection/{id}/order", pg(s.raiseOrder), "visit {id}"},
		{"POST /inspection/{id}/penalty", pg(s.recordPenalty), "visit {id}"},
		{"GET /notice/{id}", p(s.noticePageGet), "public"},

		// 社会认可度 surveys (survey.go, survey_public.go): the county's
		// surveys, a survey's fill and rate, code sheets, decisions on flagged
		// responses, the export; the public answering pages by code.
		{"GET /surveys", pg(s.surveysPageGet), ""},
		{"GET /surveys/questionnaire", pg(s.questionnairePage), ""},
		{"POST /surveys/questionnaire", pg(s.questionnairePage), ""},
		{"POST /county/{code}/surveys", pg(s.createSurvey), "county {code}"},
		{"GET /survey/{id}", pg(s.surveyPageGet), "survey {id}"},
		{"POST /survey/{id}/codes", pg(s.issueCodes), "survey {id}"},
		{"GET /survey/{id}/sheet", pg(s.sheetPageGet), "survey {id}"},
		{"POST /survey/{id}/review/{rid}", pg(s.reviewResponse), "survey {id}"},
		{"GET /survey/{id}/responses.xlsx", pg(s.surveyXLSX), "survey {id}"},
		{"GET /s/{token}", p(s.answerGet), "public"},
		{"POST /s/{token}", p(s.answerPost), "public"},
		// Work plans (workplan.go, workplan_bulletin.go): the plans, the
		// import with its preview, the wall chart, a task's reports,
		// deadline changes and 督办单, the monthly 通报.
		{"GET /plans", pg(s.plansPage), ""},
		{"POST /plans", pg(s.createPlan), ""},
		{"POST /plans/import", pg(s.importPlan), ""},
		{"POST /plans/confirm", pg(s.confirmPlan), ""},
		{"GET /plan/{id}", pg(s.planPageGet), "plan {id}"},
		{"POST /plan/{id}/task", pg(s.addPlanTask), "plan {id}"},
		{"POST /plan/{id}/settings", pg(s.savePlanSettings), "plan {id}"},
		{"GET /plan/{id}/bulletin/{format}", pg(s.planBulletin), "plan {id}"},
		{"GET /plantask/{id}", pg(s.planTaskGet), "plantask {id}"},
		{"POST /plantask/{id}/edit", pg(s.editPlanTask), "plantask {id}"},
		{"POST /plantask/{id}/report", pg(s.sendPlanReport), "plantask {id}"},
		{"POST /plantask/{id}/change", pg(s.planChange), "plantask {id}"},
		{"POST /plantask/{id}/supervise", pg(s.planSupervise), "plantask {id}"},

		// The whole standards (verdict.go, preschool.go, countyrecord.go):
		// every item and its judgement, evidence files, the preschool section and
		// kindergartens, the county's own figures.
		{"GET /county/{code}/verdict", pg(s.verdictPage), "county {code}"},
		{"POST /county/{code}/judge", pg(s.judge), "county {code}"},
		{"GET /evidence/{id}", pg(s.evidence), "evidence {id}"},
		{"GET /county/{code}/preschool", pg(s.preschoolPage), "county {code}"},
		{"GET /kindergarten/{code}", pg(s.kindergartenPage), "kindergarten {code}"},
		{"GET /county/{code}/record", pg(s.recordFormGet(census.KindCounty)), "county {code}"},
		{"POST /county/{code}/record", pg(s.recordFormPost(census.KindCounty)), "county {code}"},
		{"GET /kindergarten/{code}/edit", pg(s.recordFormGet(census.KindKindergarten)), "kindergarten {code}"},
		{"POST /kindergarten/{code}/edit", pg(s.recordFormPost(census.KindKindergarten)), "kindergarten {code}"},
		{"GET /data/template/{file}", pg(s.unitTemplate), ""},

		// 补短板 (planner.go, whatif.go, forecastview.go): the least-cost plan,
		// what-if scenarios (never changing the census data), early warning.
		{"GET /county/{code}/plan", pg(s.plannerPage), "county {code}"},
		{"GET /county/{code}/plan.json", pg(s.plannerJSON), "county {code}"},
		{"GET /county/{code}/whatif", pg(s.whatifPage), "county {code}"},
		{"POST /county/{code}/whatif", pg(s.whatifPage), "county {code}"},
		{"POST /county/{code}/scenarios", pg(s.saveScenario), "county {code}"},
		{"POST /county/{code}/scenarios/{id}/delete", pg(s.deleteScenario), "scenario {id}"},
		{"GET /county/{code}/forecast", pg(s.forecastView), "county {code}"},

		// 学位 (places.go): places against the school-age population, the
		// county's inputs as a declared ledger (ledgers.go): import, row
		// edits, template, export of any version.
		{"GET /county/{code}/places", pg(s.placesPageGet), "county {code}"},
		{"GET /county/{code}/places.xlsx", pg(s.placesExport), "county {code}"},
		{"POST /county/{code}/places/import", pg(s.importPlaces), "county {code}"},
		{"POST /county/{code}/places/rows", pg(s.editPlaces), "county {code}"},
		{"GET /places/template.xlsx", pg(s.placesTemplate), ""},
		// 教师交流轮岗 (rotation.go): the rotation ledger, its shares and the
		// schools that lose and gain teachers.
		{"GET /county/{code}/rotation", pg(s.rotationPageGet), "county {code}"},
		{"GET /county/{code}/rotation.xlsx", pg(s.rotationExport), "county {code}"},
		{"POST /county/{code}/rotation/import", pg(s.importRotation), "county {code}"},
		{"POST /county/{code}/rotation/rows", pg(s.editRotation), "county {code}"},
		{"POST /county/{code}/rotation/confirm", pg(s.confirmRotation), "county {code}"},
		{"GET /rotation/template.xlsx", pg(s.rotationTemplate), ""},
		// 教育集团 (groups.go, on the declared ledger of ledgers.go): the
		// county's groups ledger, its coverage, forms, import and versions;
		// every county of a region side by side.
		{"GET /county/{code}/groups", pg(s.groupsPageGet), "county {code}"},
		{"GET /county/{code}/groups.xlsx", pg(s.exportLedgerOf(s.groupsKind())), "county {code}"},
		{"POST /county/{code}/groups/import", pg(s.importLedger(s.groupsKind())), "county {code}"},
		{"POST /county/{code}/groups/rows", pg(s.editLedger(s.groupsKind())), "county {code}"},
		{"GET /groups/template.xlsx", pg(ledgerTemplate(s.groupsKind())), ""},
		{"GET /groups", pg(s.groupsRegion), "region ?region"},
		// 课后服务 (afterschool.go, on the declared ledger): the county's
		// ledger of a school year, a term's indicators, forms, import and
		// versions; every county of a region side by side.
		{"GET /county/{code}/afterschool", pg(s.afterschoolPageGet), "county {code}"},
		{"GET /county/{code}/afterschool.xlsx", pg(s.exportLedgerOf(s.afterschoolKind())), "county {code}"},
		{"POST /county/{code}/afterschool/import", pg(s.importLedger(s.afterschoolKind())), "county {code}"},
		{"POST /county/{code}/afterschool/rows", pg(s.editLedger(s.afterschoolKind())), "county {code}"},
		{"GET /afterschool/template.xlsx", pg(ledgerTemplate(s.afterschoolKind())), ""},
		{"GET /afterschool", pg(s.afterschoolRegion), "region ?region"},
		// 校外培训机构 (training.go, on the declared ledger): the county's
		// registry, the rules checked today, grading, the lists and their
		// publication; the public lists and notice (no sign-in).
		{"GET /county/{code}/training", pg(s.trainingPageGet), "county {code}"},
		{"GET /county/{code}/training.xlsx", pg(s.exportLedgerOf(s.trainingKind())), "county {code}"},
		{"POST /county/{code}/training/import", pg(s.importLedger(s.trainingKind())), "county {code}"},
		{"POST /county/{code}/training/rows", pg(s.editLedger(s.trainingKind())), "county {code}"},
		{"POST /county/{code}/training/publish", pg(s.publishTraining), "county {code}"},
		{"GET /training/template.xlsx", pg(ledgerTemplate(s.trainingKind())), ""},
		{"GET /training", pg(s.trainingRegion), "region ?region"},
		{"GET /lists/{code}", p(s.publicLists), "public"},
		{"GET /lists/{code}/notice.pdf", p(s.listsNotice), "public"},

		// Data entry.
		{"GET /data", pg(s.dataPage), ""},
		{"POST /data/upload", pg(s.upload), "upload file"},
		{"POST /data/confirm", pg(s.confirmUpload), "upload token"},
		{"GET /data/template.xlsx", pg(s.downloadTemplate), ""},
		{"GET /data/records.xlsx", pg(s.downloadRecords), "counties ?county"},
		{"GET /data/completeness", pg(s.completenessPage), ""},
		{"GET /school/{code}/edit", pg(s.recordFormGet(census.KindSchool)), "school {code}"},
		{"POST /school/{code}/edit", pg(s.recordFormPost(census.KindSchool)), "school {code}"},

		// The account: password, API tokens; the audit log.
		{"GET /account", pg(s.accountPage), ""},
		{"POST /account/password", pg(s.changePassword), ""},
		{"POST /account/tokens", pg(s.createToken), ""},
		{"POST /account/tokens/{id}/delete", pg(s.deleteToken), "token {id}"},
		{"GET /audit", pg(s.auditPage), ""},
		// Account administration (accounts.go) for province, city and county accounts.
		{"GET /accounts", pg(s.accountsGet), ""},
		{"POST /accounts", pg(s.addAccount), "county ?region"},
		{"POST /accounts/{id}", pg(s.editAccount), "account {id}"},
		{"POST /accounts/{id}/password", pg(s.resetAccountPassword), "account {id}"},
		// The installation's map (geo.go), imported once by its administrator.
		{"GET /map", pg(s.mapGet), ""},
		{"POST /map", pg(s.mapImport), ""},

		// The JSON API, documented by the OpenAPI file.
		{"GET /api/v1/openapi.json", http.HandlerFunc(s.openAPI), "public"},
		{"GET /api/v1/me", s.api(s.apiMe), ""},
		{"GET /api/v1/years", s.api(s.apiYears), ""},
		{"GET /api/v1/regions", s.api(s.apiRegions), ""},
		{"GET /api/v1/schools", s.api(s.apiSchools), "counties ?county"},
		{"GET /api/v1/groups/{code}", s.api(s.groupsAPI), "county {code}"},
		{"GET /api/v1/ledgers/{kind}/{code}", s.api(s.apiLedger), "county {code}"},
		{"GET /api/v1/afterschool/{code}", s.api(s.afterschoolAPI), "county {code}"},
		{"GET /api/v1/training/{code}", s.api(s.trainingAPI), "county {code}"},
		{"GET /api/v1/records", s.api(s.apiRecords), "counties ?county"},
		{"GET /api/v1/records/{year}/{code}", s.api(s.apiRecord), "school {code}"},
		{"PUT /api/v1/records/{year}/{code}", s.api(s.apiUpdateRecord), "school {code}"},
		{"GET /api/v1/evaluations", s.api(s.apiEvaluations), ""},
		{"GET /api/v1/evaluations/{county}", s.api(s.apiCountyEvaluation), "county {county}"},
		{"GET /api/v1/verdicts/{county}", s.api(s.apiVerdict), "county {county}"},

		// Everything else: a translated 404 page.
		{"/", p(func(w http.ResponseWriter, r *http.Request) error { return notFound("error.404") }), "public"},
	}
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
