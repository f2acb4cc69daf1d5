package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// zeros reads as an endless run of a byte, without holding it in memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// bigMultipart is a multipart form whose file field carries size bytes,
// read lazily.
func bigMultipart(field, name string, size int64, fields map[string]string) (io.Reader, string) {
	const boundary = "dudaotestboundary"
	var head strings.Builder
	for k, v := range fields {
		fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, k, v)
	}
	fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=%q; filename=%q\r\nContent-Type: application/octet-stream\r\n\r\n", boundary, field, name)
	tail := fmt.Sprintf("\r\n--%s--\r\n", boundary)
	return io.MultiReader(strings.NewReader(head.String()), io.LimitReader(zeros{}, size), strings.NewReader(tail)),
		"multipart/form-data; boundary=" + boundary
}

// TestUploadTooLarge: a 200 MB upload is refused as too large, naming the
// limit, in both languages; so is a too large evidence upload.
func TestUploadTooLarge(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ lang, want string }{{"zh-CN", "上限为 64 MB"}, {"en", "at most 64 MB"}} {
		body, ctype := bigMultipart("file", "学校.xlsx", 200<<20, nil)
		w := e.do("county", "POST", "/data/upload", body, "Content-Type", ctype, "Cookie", langCookie+"="+tc.lang)
		check(t, w, http.StatusRequestEntityTooLarge, hc.In("main", hc.HasText(tc.want)))
	}
	fields := map[string]string{"standard": "yzjh2017", "profile": "national", "year": fmt.Sprint(demo.LatestYear),
		"item": "layout_plan", "status": "met"}
	body, ctype := bigMultipart("evidence", "scan.pdf", 200<<20, fields)
	w := e.do("county", "POST", "/county/"+county().Code+"/judge", body, "Content-Type", ctype, "Cookie", langCookie+"=en")
	check(t, w, http.StatusRequestEntityTooLarge, hc.In("main", hc.HasText("20 MB each")))
	// One file over the limit of a file, in a request under the limit of a request.
	body, ctype = bigMultipart("evidence", "scan.pdf", 21<<20, fields)
	w = e.do("county", "POST", "/county/"+county().Code+"/judge", body, "Content-Type", ctype, "Cookie", langCookie+"=en")
	check(t, w, http.StatusRequestEntityTooLarge, hc.In("main", hc.HasText("at most 20 MB")))
}
