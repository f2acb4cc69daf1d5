package store_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

var pdf = []byte("%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func docx(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, n := range []string{"[Content_Types].xml", "word/document.xml"} {
		f, _ := w.Create(n)
		f.Write([]byte("<x/>"))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSniffEvidence(t *testing.T) {
	plainZip := func() []byte {
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		f, _ := w.Create("a.txt")
		f.Write([]byte("hi"))
		w.Close()
		return b.Bytes()
	}()
	for _, tc := range []struct {
		name string
		data []byte
		want string
		err  error
	}{
		{"规划.pdf", pdf, "application/pdf", nil},
		{"照片.JPG", []byte("\xFF\xD8\xFF\xE0rest"), "image/jpeg", nil},
		{"scan.png", []byte("\x89PNG\r\n\x1a\nrest"), "image/png", nil},
		{"renamed.txt", pdf, "application/pdf", nil}, // content wins over the name
		{"报告.docx", docx(t), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil},
		{"旧.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}, "application/msword", nil},
		{"旧.bin", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}, "", store.ErrEvidenceType},
		{"a.zip", plainZip, "", store.ErrEvidenceType},
		{"evil.pdf", []byte("<html><script>alert(1)</script>"), "", store.ErrEvidenceType},
		{"a.exe", []byte("MZ\x90\x00"), "", store.ErrEvidenceType},
		{"empty.pdf", nil, "", store.ErrEvidenceType},
		{"huge.pdf", append(slicesRepeat(store.MaxEvidenceSize), pdf...), "", store.ErrEvidenceSize},
	} {
		got, err := store.SniffEvidence(tc.name, tc.data)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%s: %q %v; want %q %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func slicesRepeat(n int) []byte {
	b := make([]byte, n)
	copy(b, pdf)
	return b
}

func TestJudgements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		j := census.Judgement{Standard: "yzjh2017", CountyCode: "340207", Year: 2024, Item: "layout_plan",
			Status: census.StatusMet, Comment: "规划已批复", Actor: "督学甲"}
		got, err := s.Judge(ctx, j, []store.EvidenceUpload{{Name: `C:\fakepath\布局规划.pdf`, Data: pdf}})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID == 0 || !got.At.Equal(t0) || len(got.Evidence) != 1 || got.Evidence[0].Name != "布局规划.pdf" ||
			got.Evidence[0].Type != "application/pdf" || got.Evidence[0].Size != int64(len(pdf)) {
			t.Fatalf("judged %+v", got)
		}
		// A later judgement is added, not written over, and the evidence stays.
		j.Status, j.Comment, j.Actor = census.StatusNotMet, "复核：规划未覆盖新城区", "督学乙"
		if _, err := s.Judge(ctx, j, []store.EvidenceUpload{{Name: "复核意见.docx", Data: docx(t)}}); err != nil {
			t.Fatal(err)
		}
		// A refused file stores nothing, not even the judgement.
		j.Status = census.StatusMet
		if _, err := s.Judge(ctx, j, []store.EvidenceUpload{{Name: "x.exe", Data: []byte("MZ")}}); !errors.Is(err, store.ErrEvidenceType) {
			t.Fatalf("bad file: %v", err)
		}
		if _, err := s.Judge(ctx, census.Judgement{Standard: "yzjh2017", CountyCode: "340207", Year: 2024, Item: "x", Status: "maybe"}, nil); err == nil {
			t.Fatal("status maybe accepted")
		}
		other := census.Judgement{Standard: "yzjh2017", CountyCode: "340208", Year: 2024, Item: "layout_plan", Status: census.StatusMet, Actor: "丙"}
		if _, err := s.Judge(ctx, other, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEvidence(ctx, "yzjh2017", "340207", 2024, "curriculum", "丁", store.EvidenceUpload{Name: "课表.png", Data: []byte("\x89PNG\r\n\x1a\nx")}); err != nil {
			t.Fatal(err)
		}

		in, err := s.Judgements(ctx, "yzjh2017", 2024, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if len(in) != 2 {
			t.Fatalf("judgements in force %+v", in)
		}
		cur, pend := in[1], in[0] // ordered by item: curriculum, layout_plan
		if cur.Item != "layout_plan" || cur.Status != census.StatusNotMet || cur.Actor != "督学乙" || !strings.Contains(cur.Comment, "新城区") ||
			len(cur.Evidence) != 2 || cur.Evidence[0].Name != "布局规划.pdf" || cur.Evidence[1].Name != "复核意见.docx" {
			t.Fatalf("in force %+v", cur)
		}
		if pend.Item != "curriculum" || pend.Status != census.StatusPending || len(pend.Evidence) != 1 || pend.ID != 0 {
			t.Fatalf("evidence without a judgement %+v", pend)
		}
		all, _ := s.Judgements(ctx, "yzjh2017", 2024, "")
		if len(all) != 3 {
			t.Fatalf("every county: %d", len(all))
		}
		if none, _ := s.Judgements(ctx, "xqpp2020", 2024, ""); len(none) != 0 {
			t.Fatalf("another standard: %v", none)
		}
		h, err := s.JudgementHistory(ctx, "yzjh2017", 2024, "340207", "layout_plan")
		if err != nil || len(h) != 2 || h[0].Status != census.StatusMet || h[1].Status != census.StatusNotMet || !h[1].At.After(h[0].At) {
			t.Fatalf("history %+v %v", h, err)
		}
		e, county, data, err := s.EvidenceFile(ctx, cur.Evidence[0].ID)
		if err != nil || county != "340207" || !bytes.Equal(data, pdf) || e.SHA256 != cur.Evidence[0].SHA256 {
			t.Fatalf("file: %+v %s %v", e, county, err)
		}
		if _, _, _, err := s.EvidenceFile(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing file: %v", err)
		}
	})
}
