package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/survey"
)

// Survey is a county's 社会认可度 survey (internal/survey): the
// questionnaire it asks, its window and the figures its sample is planned from.
type Survey struct {
	ID            int64
	County        string
	Standard      string
	Profile       string
	Year          int
	Title         string
	Questionnaire *survey.Questionnaire
	Population    int64
	// AreaWeights are the students of each area (by Questionnaire.Areas()),
	// which the area quotas follow; nil when unknown.
	AreaWeights []int64
	// OpenGroups are the groups the county gave an open link.
	OpenGroups []string
	Opens      time.Time
	Closes     time.Time
	Secret     []byte
	CreatedBy  string
	CreatedAt  time.Time
}

// SurveyResponse is one stored response.
type SurveyResponse struct {
	ID           int64
	SurveyID     int64
	Serial       int64 // 0 through an open link
	Group        string
	Area         survey.Area
	Answers      map[string]int
	Started      time.Time
	Submitted    time.Time
	Device       string
	AddrHash     string
	Flags        []survey.Flag
	Status       survey.Status
	ReviewedBy   string
	ReviewedAt   time.Time
	ReviewReason string
}

// Rate is the response as the rate sees it.
func (r SurveyResponse) Rate() survey.Response {
	return survey.Response{Group: r.Group, Area: r.Area, Open: r.Serial == 0, Status: r.Status, Answers: r.Answers}
}

// Errors of the survey store.
var (
	ErrSurveyInput = errors.New("survey: invalid input")
	// ErrCodeUsed: a response was already stored for this code.
	ErrCodeUsed = errors.New("survey: this code has been used")
	// ErrNotFlagged: only a flagged response waits for a reviewer.
	ErrNotFlagged = errors.New("survey: the response is not waiting for review")
)

// CreateSurvey stores a new survey with a fresh secret.
func (s *Store) CreateSurvey(ctx context.Context, actor string, sv Survey) (_ Survey, err error) {
	defer wrap(&err, "create a survey of %s", sv.County)
	if len(sv.County) != 6 || sv.Questionnaire == nil || sv.Population < 0 || sv.Year < 2000 || sv.Year > 2100 || !sv.Opens.Before(sv.Closes) {
		return sv, fmt.Errorf("%w: county %q, year %d, window %v – %v", ErrSurveyInput, sv.County, sv.Year, sv.Opens, sv.Closes)
	}
	if err := sv.Questionnaire.Validate(); err != nil {
		return sv, fmt.Errorf("%w: %v", ErrSurveyInput, err)
	}
	q, _ := json.Marshal(sv.Questionnaire)
	var weights []byte
	if sv.AreaWeights != nil {
		weights, _ = json.Marshal(sv.AreaWeights)
	}
	sv.Secret = make([]byte, 32)
	crand.Read(sv.Secret)
	now := s.now()
	sv.CreatedBy, sv.CreatedAt = actor, now
	sv.Opens, sv.Closes = sv.Opens.UTC(), sv.Closes.UTC()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO surveys (county_code, standard, profile, year, title, questionnaire, population,
			area_weights, open_groups, opens_at, closes_at, secret, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			sv.County, sv.Standard, sv.Profile, sv.Year, sv.Title, string(q), sv.Population, string(weights),
			strings.Join(sv.OpenGroups, ","), sv.Opens, sv.Closes, hex.EncodeToString(sv.Secret), actor, now).Scan(&sv.ID); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "survey.create", sv.County, fmt.Sprintf("survey %d", sv.ID),
			fmt.Sprintf("%s %s %d，常住人口 %d", sv.Title, sv.Standard, sv.Year, sv.Population))
	})
	return sv, err
}

const surveyCols = `id, county_code, standard, profile, year, title, questionnaire, population, area_weights, open_groups, opens_at, closes_at, secret, created_by, created_at`

func scanSurvey(sc interface{ Scan(...any) error }) (Survey, error) {
	var sv Survey
	var q, weights, open, secret string
	if err := sc.Scan(&sv.ID, &sv.County, &sv.Standard, &sv.Profile, &sv.Year, &sv.Title, &q, &sv.Population, &weights, &open,
		&sv.Opens, &sv.Closes, &secret, &sv.CreatedBy, &sv.CreatedAt); err != nil {
		return sv, err
	}
	var err error
	if sv.Questionnaire, err = survey.Parse([]byte(q)); err != nil {
		return sv, err
	}
	if weights != "" {
		if err := json.Unmarshal([]byte(weights), &sv.AreaWeights); err != nil {
			return sv, err
		}
	}
	if open != "" {
		sv.OpenGroups = strings.Split(open, ",")
	}
	if sv.Secret, err = hex.DecodeString(secret); err != nil {
		return sv, err
	}
	sv.Opens, sv.Closes, sv.CreatedAt = sv.Opens.UTC(), sv.Closes.UTC(), sv.CreatedAt.UTC()
	return sv, nil
}

// Survey returns survey id, or ErrNotFound.
func (s *Store) Survey(ctx context.Context, id int64) (_ Survey, err error) {
	defer wrap(&err, "read survey %d", id)
	sv, err := scanSurvey(s.db.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM surveys WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sv, ErrNotFound
	}
	return sv, err
}

// Surveys lists the surveys of the counties whose codes start with
// prefix, newest first.
func (s *Store) Surveys(ctx context.Context, prefix string) (_ []Survey, err error) {
	defer wrap(&err, "list surveys of %s", prefix)
	return listOfRows(ctx, s.db, scanSurvey, `SELECT `+surveyCols+` FROM surveys WHERE county_code LIKE $1 ORDER BY id DESC`, prefix+"%")
}

// SurveysOf lists the surveys of one county under one standard and year,
// newest first.
func (s *Store) SurveysOf(ctx context.Context, county, standard string, year int) (_ []Survey, err error) {
	defer wrap(&err, "list surveys of %s", county)
	return listOfRows(ctx, s.db, scanSurvey, `SELECT `+surveyCols+` FROM surveys WHERE county_code = $1 AND standard = $2 AND year = $3 ORDER BY id DESC`,
		county, standard, year)
}

// IssuedCodes is a batch of single-use codes: serials First to Last, all
// of one group and area.
type IssuedCodes struct {
	First, Last int64
	Group       string
	Area        survey.Area
}

// IssueCodes numbers n new single-use codes of survey id for group and
// area. The codes themselves are signed tokens made from the serials.
func (s *Store) IssueCodes(ctx context.Context, actor string, id int64, group string, area survey.Area, n int) (_ IssuedCodes, err error) {
	defer wrap(&err, "issue codes of survey %d", id)
	b := IssuedCodes{Group: group, Area: area}
	if n < 1 || n > 5000 {
		return b, fmt.Errorf("%w: %d codes (1 to 5 000 a batch)", ErrSurveyInput, n)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var county string
		if err := tx.QueryRowContext(ctx, `SELECT county_code FROM surveys WHERE id = $1`, id).Scan(&county); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(serial), 0) FROM survey_codes WHERE survey_id = $1`, id).Scan(&b.First); err != nil {
			return err
		}
		b.First++
		b.Last = b.First + int64(n) - 1
		st, err := tx.PrepareContext(ctx, `INSERT INTO survey_codes (survey_id, serial, grp, area, created_at) VALUES ($1, $2, $3, $4, $5)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for k := b.First; k <= b.Last; k++ {
			if _, err := st.ExecContext(ctx, id, k, group, areaKey(area), now); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, now, actor, "survey.codes", county, fmt.Sprintf("survey %d", id),
			fmt.Sprintf("%d 个单次码（%d–%d），%s，%s·%s", n, b.First, b.Last, group, area.Location, area.Stage))
	})
	return b, err
}

// CodeBatches lists the batches of codes issued for survey id, in order.
func (s *Store) CodeBatches(ctx context.Context, id int64) (_ []IssuedCodes, err error) {
	defer wrap(&err, "list codes of survey %d", id)
	return listOfRows(ctx, s.db, func(sc interface{ Scan(...any) error }) (IssuedCodes, error) {
		var b IssuedCodes
		var area string
		err := sc.Scan(&b.First, &b.Last, &b.Group, &area)
		b.Area = parseAreaKey(area)
		return b, err
	}, `SELECT MIN(serial), MAX(serial), grp, area FROM survey_codes WHERE survey_id = $1 GROUP BY created_at, grp, area ORDER BY MIN(serial)`, id)
}

// SurveyCode returns the group and area code serial of survey id was
// issued for, or ErrNotFound.
func (s *Store) SurveyCode(ctx context.Context, id, serial int64) (group string, area survey.Area, err error) {
	defer wrap(&err, "read code %d of survey %d", serial, id)
	var a string
	err = s.db.QueryRowContext(ctx, `SELECT grp, area FROM survey_codes WHERE survey_id = $1 AND serial = $2`, id, serial).Scan(&group, &a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", survey.Area{}, ErrNotFound
	}
	return group, parseAreaKey(a), err
}

// CodeUsed reports whether a response was stored for code serial.
func (s *Store) CodeUsed(ctx context.Context, id, serial int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1 AND serial = $2`, id, serial).Scan(&n)
	return n > 0, err
}

func areaKey(a survey.Area) string { return a.Location + "|" + a.Stage }

func parseAreaKey(s string) survey.Area {
	l, st, _ := strings.Cut(s, "|")
	return survey.Area{Location: l, Stage: st}
}

// SubmitResponse stores a response: flags gets the number of responses
// already stored from the same device and address within the rules'
// windows and returns the response's flags (flagged responses wait for a
// reviewer). A second response for the same code is refused with
// ErrCodeUsed by the database's unique constraint, however many arrive at
// once. The transaction takes no writer lock: responses touch nothing an
// import reads.
func (s *Store) SubmitResponse(ctx context.Context, r SurveyResponse, rules survey.Rules, flags func(deviceRecent, addressRecent int) []survey.Flag) (_ SurveyResponse, err error) {
	defer wrap(&err, "store a response of survey %d", r.SurveyID)
	now := s.now()
	r.Submitted = now
	answers, _ := json.Marshal(r.Answers)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return r, err
	}
	defer tx.Rollback()
	var dev, addr int
	if r.Device != "" {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1 AND device = $2 AND submitted_at > $3`,
			r.SurveyID, r.Device, now.Add(-rules.DeviceWindow)).Scan(&dev); err != nil {
			return r, err
		}
	}
	if r.AddrHash != "" {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1 AND addr_hash = $2 AND submitted_at > $3`,
			r.SurveyID, r.AddrHash, now.Add(-rules.AddressWindow)).Scan(&addr); err != nil {
			return r, err
		}
	}
	r.Flags = flags(dev, addr)
	r.Status = survey.StatusValid
	if len(r.Flags) > 0 {
		r.Status = survey.StatusFlagged
	}
	var serial any
	if r.Serial > 0 {
		serial = r.Serial
	}
	fl := make([]string, len(r.Flags))
	for i, f := range r.Flags {
		fl[i] = string(f)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO survey_responses (survey_id, serial, grp, area, answers, started_at, submitted_at, device, addr_hash, flags, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (survey_id, serial) DO NOTHING RETURNING id`,
		r.SurveyID, serial, r.Group, areaKey(r.Area), string(answers), r.Started.UTC(), now, r.Device, r.AddrHash, strings.Join(fl, ","), string(r.Status)).Scan(&r.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrCodeUsed
	}
	if err != nil {
		return r, err
	}
	return r, tx.Commit()
}

const responseCols = `id, survey_id, serial, grp, area, answers, started_at, submitted_at, device, addr_hash, flags, status, reviewed_by, reviewed_at, review_reason`

func scanResponse(sc interface{ Scan(...any) error }) (SurveyResponse, error) {
	var r SurveyResponse
	var serial sql.NullInt64
	var area, answers, flags, status string
	var rev sql.NullTime
	if err := sc.Scan(&r.ID, &r.SurveyID, &serial, &r.Group, &area, &answers, &r.Started, &r.Submitted, &r.Device, &r.AddrHash,
		&flags, &status, &r.ReviewedBy, &rev, &r.ReviewReason); err != nil {
		return r, err
	}
	r.Serial, r.Area, r.Status, r.ReviewedAt = serial.Int64, parseAreaKey(area), survey.Status(status), utcOf(rev)
	r.Started, r.Submitted = r.Started.UTC(), r.Submitted.UTC()
	if flags != "" {
		for _, f := range strings.Split(flags, ",") {
			r.Flags = append(r.Flags, survey.Flag(f))
		}
	}
	return r, json.Unmarshal([]byte(answers), &r.Answers)
}

// ResponsesVersion returns a number that changes whenever a survey response
// is received: the latest response's id (0 when none). Caches of verdicts
// that surveys feed key on it with DataVersion and AuditVersion (a review
// of a response is audited).
func (s *Store) ResponsesVersion(ctx context.Context) (v int64, err error) {
	defer wrap(&err, "responses version")
	if m := s.memoVersions(ctx); m != nil {
		return m.responses, m.err
	}
	err = s.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM survey_responses`).Scan(&v)
	return v, err
}

// SurveyResponses lists the responses of survey id in the order received.
func (s *Store) SurveyResponses(ctx context.Context, id int64) (_ []SurveyResponse, err error) {
	defer wrap(&err, "list responses of survey %d", id)
	return listOfRows(ctx, s.db, scanResponse, `SELECT `+responseCols+` FROM survey_responses WHERE survey_id = $1 ORDER BY id`, id)
}

// ReviewResponse decides a flagged response: accepted, it counts; rejected,
// it is kept and never counts. The reason is required and audited.
func (s *Store) ReviewResponse(ctx context.Context, actor string, surveyID, id int64, accept bool, reason string) (err error) {
	defer wrap(&err, "review response %d", id)
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return fmt.Errorf("%w: a decision needs its reason", ErrSurveyInput)
	}
	st := survey.StatusRejected
	if accept {
		st = survey.StatusAccepted
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var county string
		if err := tx.QueryRowContext(ctx, `SELECT county_code FROM surveys WHERE id = $1`, surveyID).Scan(&county); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE survey_responses SET status = $1, reviewed_by = $2, reviewed_at = $3, review_reason = $4
			WHERE id = $5 AND survey_id = $6 AND status = $7`, string(st), actor, now, reason, id, surveyID, string(survey.StatusFlagged))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFlagged
		}
		return auditTx(ctx, tx, now, actor, "survey.review", county, fmt.Sprintf("survey %d response %d", surveyID, id), string(st)+"："+reason)
	})
}

// FlaggedCount is the number of flagged responses of one survey waiting
// for review.
type FlaggedCount struct {
	SurveyID int64
	Standard string // the survey's questionnaire: a standard, or survey.AfterSchool
	N        int
}

// FlaggedResponses counts, by survey, the flagged responses waiting for
// review in the surveys of counties whose codes start with prefix.
func (s *Store) FlaggedResponses(ctx context.Context, prefix string) (_ []FlaggedCount, err error) {
	defer wrap(&err, "count flagged responses of %s", prefix)
	return listOfRows(ctx, s.db, func(sc interface{ Scan(...any) error }) (FlaggedCount, error) {
		var c FlaggedCount
		return c, sc.Scan(&c.SurveyID, &c.Standard, &c.N)
	}, `SELECT r.survey_id, v.standard, COUNT(*) FROM survey_responses r JOIN surveys v ON v.id = r.survey_id
		WHERE v.county_code LIKE $1 AND r.status = $2 GROUP BY r.survey_id, v.standard ORDER BY r.survey_id`, prefix+"%", string(survey.StatusFlagged))
}

// PurgeSurveyTraces blanks the device cookie and address hash of the
// responses of surveys that closed before before: they served the burst
// checks only. It returns the number of responses purged.
func (s *Store) PurgeSurveyTraces(ctx context.Context, before time.Time) (n int64, err error) {
	defer wrap(&err, "purge survey traces")
	res, err := s.db.ExecContext(ctx, `UPDATE survey_responses SET device = '', addr_hash = ''
		WHERE (device <> '' OR addr_hash <> '') AND survey_id IN (SELECT id FROM surveys WHERE closes_at < $1)`, before.UTC())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetQuestionnaire stores province's own questionnaire of its standard,
// replacing an earlier one; surveys started later ask it.
func (s *Store) SetQuestionnaire(ctx context.Context, actor, province string, q *survey.Questionnaire) (err error) {
	defer wrap(&err, "store the questionnaire of %s", province)
	if len(province) != 6 || q == nil {
		return fmt.Errorf("%w: province %q", ErrSurveyInput, province)
	}
	if err := q.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrSurveyInput, err)
	}
	b, _ := json.Marshal(q)
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_questionnaires (province_code, standard, questionnaire, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (province_code, standard) DO UPDATE SET questionnaire = $3, updated_by = $4, updated_at = $5`,
			province, q.Standard, string(b), actor, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, now, actor, "survey.questionnaire", province, q.Standard, fmt.Sprintf("%s，%d 题", q.Title, len(q.Questions)))
	})
}

// Questionnaire returns province's own questionnaire of standard, or
// ErrNotFound when it asks the shipped one.
func (s *Store) Questionnaire(ctx context.Context, province, standard string) (_ *survey.Questionnaire, err error) {
	defer wrap(&err, "read the questionnaire of %s", province)
	var b string
	err = s.db.QueryRowContext(ctx, `SELECT questionnaire FROM survey_questionnaires WHERE province_code = $1 AND standard = $2`, province, standard).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return survey.Parse([]byte(b))
}

// SurveysOpened counts the surveys whose window has opened at now: with
// ResponsesVersion, it changes whenever what the surveys feed into a
// verdict may (a survey feeds its county from its opening on), so that an
// evaluation cached under both is never stale and is kept for as long as
// nothing changes.
func (s *Store) SurveysOpened(ctx context.Context, now time.Time) (n int64, err error) {
	defer wrap(&err, "surveys opened")
	if m := s.memoVersions(ctx); m != nil {
		return m.opened, m.err
	}
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM surveys WHERE opens_at <= $1`, now).Scan(&n)
	return n, err
}
