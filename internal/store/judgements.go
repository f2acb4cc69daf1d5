package store

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dudao-edu/dudao/internal/census"
)

// Judgements are never updated: each is a new row, and the latest of an
// item is the one in force, so the history of a decision is kept whole.
// Evidence files belong to the item and stay with it whatever later
// judgements say.

// AuditJudge is the audit-log action of a judgement.
const AuditJudge = "judge"

// MaxEvidenceSize bounds one evidence file: scans of a few dozen pages fit,
// and a database that keeps every file stays a size a county can back up.
const MaxEvidenceSize = 20 << 20

// Errors of evidence files, for callers to map to a message (HTTP 400).
var (
	ErrEvidenceType = errors.New("evidence file type not accepted")
	ErrEvidenceSize = errors.New("evidence file too large")
)

// EvidenceUpload is an evidence file as uploaded.
type EvidenceUpload struct {
	Name    string
	Data    []byte
	Comment string
}

// SniffEvidence returns the media type of an evidence file found by reading
// its content (never trusting its name or the browser): PDF, PNG, JPEG,
// GIF, WebP, Word, Excel or PowerPoint documents (old and new formats),
// WPS documents and OFD (the Chinese fixed-layout format). Anything else,
// an empty file or one larger than MaxEvidenceSize is refused with an error
// wrapping ErrEvidenceType or ErrEvidenceSize.
func SniffEvidence(name string, data []byte) (string, error) {
	if len(data) == 0 {
		return "", fmt.Errorf("%w: %s is empty", ErrEvidenceType, name)
	}
	if len(data) > MaxEvidenceSize {
		return "", fmt.Errorf("%w: %s is %d MB, more than %d MB", ErrEvidenceSize, name, len(data)>>20, MaxEvidenceSize>>20)
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf", nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return "image/jpeg", nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif", nil
	case len(data) > 12 && bytes.HasPrefix(data, []byte("RIFF")) && string(data[8:12]) == "WEBP":
		return "image/webp", nil
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// An OLE compound file: the name tells which Office program wrote it.
		switch ext {
		case ".doc", ".wps":
			return "application/msword", nil
		case ".xls", ".et":
			return "application/vnd.ms-excel", nil
		case ".ppt", ".dps":
			return "application/vnd.ms-powerpoint", nil
		}
		return "", fmt.Errorf("%w: %s is an Office 97–2003 file, but its name does not say which (.doc, .xls, .ppt)", ErrEvidenceType, name)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return "", fmt.Errorf("%w: %s is a damaged zip file", ErrEvidenceType, name)
		}
		for _, f := range zr.File {
			switch n := strings.ToLower(f.Name); {
			case n == "word/document.xml":
				return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil
			case n == "xl/workbook.xml":
				return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
			case n == "ppt/presentation.xml":
				return "application/vnd.openxmlformats-officedocument.presentationml.presentation", nil
			case n == "ofd.xml":
				return "application/ofd", nil
			}
		}
		return "", fmt.Errorf("%w: %s is a zip archive, not a document (upload the documents themselves)", ErrEvidenceType, name)
	}
	return "", fmt.Errorf("%w: %s is not a PDF, an image or an office document", ErrEvidenceType, name)
}

// cleanName keeps the base name of an uploaded file, without control
// characters, at most 200 characters; "" becomes 未命名.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = filepath.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" {
		name = "未命名"
	}
	if utf8.RuneCountInString(name) > 200 {
		r := []rune(name)
		name = string(r[len(r)-200:])
	}
	return name
}

// Judge records a judgement of one item, by j.Actor, stamped with the
// store's clock, together with evidence files, in one transaction: all of it
// or, when a file is refused, none. It never changes an earlier judgement or
// file. It returns the judgement as stored, with every evidence file of the
// item.
func (s *Store) Judge(ctx context.Context, j census.Judgement, files []EvidenceUpload) (_ census.Judgement, err error) {
	defer wrap(&err, "judge %s of %s in %d", j.Item, j.CountyCode, j.Year)
	switch j.Status {
	case census.StatusMet, census.StatusNotMet, census.StatusPending:
	default:
		return census.Judgement{}, fmt.Errorf("status %q: want met, not_met or pending", j.Status)
	}
	if j.Standard == "" || j.CountyCode == "" || j.Year == 0 || j.Item == "" {
		return census.Judgement{}, fmt.Errorf("a judgement needs a standard, a county, a year and an item")
	}
	types, err := sniffAll(files)
	if err != nil {
		return census.Judgement{}, err
	}
	j.At = s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO judgements (standard, county_code, year, item, status, comment, actor, judged_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			j.Standard, j.CountyCode, j.Year, j.Item, string(j.Status), j.Comment, j.Actor, j.At).Scan(&j.ID); err != nil {
			return err
		}
		for i, f := range files {
			if _, err := addEvidence(ctx, tx, j.Standard, j.CountyCode, j.Year, j.Item, j.ID, j.Actor, f, types[i], j.At); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return census.Judgement{}, err
	}
	j.Evidence, err = evidenceOf(ctx, s.db, j.Standard, j.Year, j.CountyCode, j.Item)
	return j, err
}

func sniffAll(files []EvidenceUpload) ([]string, error) {
	types := make([]string, len(files))
	for i, f := range files {
		t, err := SniffEvidence(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		types[i] = t
	}
	return types, nil
}

// AddEvidence attaches a file to an item without judging it.
func (s *Store) AddEvidence(ctx context.Context, standard, county string, year int, item, actor string, f EvidenceUpload) (_ census.Evidence, err error) {
	defer wrap(&err, "evidence for %s of %s in %d", item, county, year)
	t, err := SniffEvidence(f.Name, f.Data)
	if err != nil {
		return census.Evidence{}, err
	}
	var e census.Evidence
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		e, err = addEvidence(ctx, tx, standard, county, year, item, 0, actor, f, t, s.now())
		return err
	})
	return e, err
}

func addEvidence(ctx context.Context, tx *sql.Tx, standard, county string, year int, item string, judgement int64, actor string,
	f EvidenceUpload, mediaType string, at time.Time) (census.Evidence, error) {
	sum := sha256.Sum256(f.Data)
	e := census.Evidence{Name: cleanName(f.Name), Type: mediaType, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:]),
		Actor: actor, At: at, Comment: f.Comment}
	var jid any
	if judgement > 0 {
		jid = judgement
	}
	err := tx.QueryRowContext(ctx, `
		INSERT INTO evidence_files (standard, county_code, year, item, judgement_id, file_name, media_type, size, sha256, content, comment, actor, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		standard, county, year, item, jid, e.Name, e.Type, e.Size, e.SHA256, f.Data, e.Comment, actor, at).Scan(&e.ID)
	return e, err
}

// Judgements returns the judgements in force — the latest of each item —
// of county in year under standard (every county when county is ""), each
// with all evidence files of its item, ordered by county and item. It
// returns an empty list when there are none.
func (s *Store) Judgements(ctx context.Context, standard string, year int, county string) (_ []census.Judgement, err error) {
	defer wrap(&err, "judgements of %d", year)
	q := `SELECT id, standard, county_code, year, item, status, comment, actor, judged_at FROM judgements j
		WHERE standard = $1 AND year = $2 AND id = (SELECT MAX(id) FROM judgements k
			WHERE k.standard = j.standard AND k.year = j.year AND k.county_code = j.county_code AND k.item = j.item)`
	args := []any{standard, year}
	if county != "" {
		q += ` AND county_code = $3`
		args = append(args, county)
	}
	out, err := s.scanJudgements(ctx, q+` ORDER BY county_code, item`, args...)
	if err != nil {
		return nil, err
	}
	files, err := evidenceList(ctx, s.db, standard, year, county, "")
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Evidence = files[out[i].CountyCode+"\x00"+out[i].Item]
	}
	// Items with evidence but no judgement yet are listed as pending.
	have := map[string]bool{}
	for _, j := range out {
		have[j.CountyCode+"\x00"+j.Item] = true
	}
	for k, ev := range files {
		if !have[k] {
			c, item, _ := strings.Cut(k, "\x00")
			out = append(out, census.Judgement{Standard: standard, CountyCode: c, Year: year, Item: item, Status: census.StatusPending, Evidence: ev})
		}
	}
	slices.SortStableFunc(out, func(a, b census.Judgement) int {
		return strings.Compare(a.CountyCode+"\x00"+a.Item, b.CountyCode+"\x00"+b.Item)
	})
	return out, nil
}

// JudgementHistory returns every judgement of one item, oldest first, or an
// empty list.
func (s *Store) JudgementHistory(ctx context.Context, standard string, year int, county, item string) (_ []census.Judgement, err error) {
	defer wrap(&err, "judgement history of %s", item)
	return s.scanJudgements(ctx, `SELECT id, standard, county_code, year, item, status, comment, actor, judged_at FROM judgements
		WHERE standard = $1 AND year = $2 AND county_code = $3 AND item = $4 ORDER BY id`, standard, year, county, item)
}

func (s *Store) scanJudgements(ctx context.Context, q string, args ...any) ([]census.Judgement, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []census.Judgement{}
	for rows.Next() {
		var j census.Judgement
		var st string
		if err := rows.Scan(&j.ID, &j.Standard, &j.CountyCode, (*intScanner)(&j.Year), &j.Item, &st, &j.Comment, &j.Actor, &j.At); err != nil {
			return nil, err
		}
		j.Status = census.Status(st)
		j.At = j.At.UTC()
		out = append(out, j)
	}
	return out, rows.Err()
}

// evidenceOf lists the evidence files of one item, oldest first.
func evidenceOf(ctx context.Context, q querier, standard string, year int, county, item string) ([]census.Evidence, error) {
	m, err := evidenceList(ctx, q, standard, year, county, item)
	return m[county+"\x00"+item], err
}

// evidenceList lists evidence files by county and item (key county NUL item).
func evidenceList(ctx context.Context, q querier, standard string, year int, county, item string) (map[string][]census.Evidence, error) {
	query := `SELECT id, county_code, item, file_name, media_type, size, sha256, comment, actor, uploaded_at
		FROM evidence_files WHERE standard = $1 AND year = $2`
	args := []any{standard, year}
	if county != "" {
		args = append(args, county)
		query += fmt.Sprintf(` AND county_code = $%d`, len(args))
	}
	if item != "" {
		args = append(args, item)
		query += fmt.Sprintf(` AND item = $%d`, len(args))
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]census.Evidence{}
	for rows.Next() {
		var e census.Evidence
		var c, it string
		if err := rows.Scan(&e.ID, &c, &it, &e.Name, &e.Type, &e.Size, &e.SHA256, &e.Comment, &e.Actor, &e.At); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out[c+"\x00"+it] = append(out[c+"\x00"+it], e)
	}
	return out, rows.Err()
}

// EvidenceFile returns the description and the bytes of evidence file id,
// and the county it belongs to (for scoped access); it returns ErrNotFound
// if there is none.
func (s *Store) EvidenceFile(ctx context.Context, id int64) (_ census.Evidence, county string, data []byte, err error) {
	defer wrap(&err, "evidence file %d", id)
	var e census.Evidence
	err = s.db.QueryRowContext(ctx, `SELECT id, county_code, file_name, media_type, size, sha256, comment, actor, uploaded_at, content
		FROM evidence_files WHERE id = $1`, id).Scan(&e.ID, &county, &e.Name, &e.Type, &e.Size, &e.SHA256, &e.Comment, &e.Actor, &e.At, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return census.Evidence{}, "", nil, ErrNotFound
	}
	e.At = e.At.UTC()
	return e, county, data, err
}
