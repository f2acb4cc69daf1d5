package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// Sentinel errors of the handlers, mapped to HTTP status once, in status.
var (
	errForbidden    = errors.New("forbidden")
	errBadRequest   = errors.New("bad request")
	errUnauthorized = errors.New("not signed in")
	errTooMany      = errors.New("too many attempts")
	errTooLarge     = errors.New("request too large")
	errConflict     = errors.New("conflict with the data's state")
)

// userError is an error whose message key (and arguments) the user sees,
// translated, wrapping a sentinel that decides the status.
type userError struct {
	err  error // a sentinel, or store.ErrNotFound
	key  string
	args []any
}

func (e *userError) Error() string { return fmt.Sprintf("%s: %s %v", e.err, e.key, e.args) }
func (e *userError) Unwrap() error { return e.err }

// badRequest returns a 400 error showing message key.
func badRequest(key string, args ...any) error {
	return &userError{err: errBadRequest, key: key, args: args}
}

// notFound returns a 404 error showing message key.
func notFound(key string, args ...any) error {
	return &userError{err: store.ErrNotFound, key: key, args: args}
}

// tooLarge returns a 413 error showing message key with args.
func tooLarge(key string, args ...any) error {
	return &userError{err: errTooLarge, key: key, args: args}
}

// bodyTooLarge returns a 413 error showing message key when err is a
// request body over its http.MaxBytesReader limit, with args or, when there
// are none, the limit in MB; it returns nil for any other error, so that a
// caller writes cmp.Or(bodyTooLarge(err, key), badRequest(…)). Without it
// a body cut off at the limit reads as a form without its file.
func bodyTooLarge(err error, key string, args ...any) error {
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		return nil
	}
	if len(args) == 0 {
		args = []any{mbe.Limit >> 20}
	}
	return tooLarge(key, args...)
}

// lockedKey is the message key and arguments of a lock: a reporting
// task's, or a recognition case's being judged.
func lockedKey(l *store.LockedError) (string, []any) {
	if l.Case != 0 {
		return "cases.locked", []any{l.Code, l.Year, l.Round}
	}
	return "review.locked", []any{l.Task, store.StateName(l.State), l.Code, l.Year}
}

// status maps an error to its HTTP status and the message key shown.
func status(err error) (int, string, []any) {
	var ue *userError
	var locked *store.LockedError
	key, args := "", []any(nil)
	if errors.As(err, &ue) {
		key, args = ue.key, ue.args
	}
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, eval.ErrNoFigure):
		code = http.StatusNotFound
	case errors.Is(err, errForbidden):
		code = http.StatusForbidden
	case errors.Is(err, errBadRequest), errors.Is(err, standards.ErrUnknown), errors.Is(err, store.ErrNotCounty):
		code = http.StatusBadRequest
	case errors.Is(err, errConflict):
		code = http.StatusConflict
	case errors.As(err, &locked):
		code = http.StatusConflict
		if key == "" {
			key, args = lockedKey(locked)
		}
	case errors.Is(err, errUnauthorized):
		code = http.StatusUnauthorized
	case errors.Is(err, errTooMany):
		code = http.StatusTooManyRequests
	case errors.Is(err, errTooLarge):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, context.Canceled):
		code = 499 // the client went away; nothing is written
	}
	if key == "" {
		key = fmt.Sprintf("error.%d", code)
		if code == 499 {
			key = "error.500"
		}
	}
	return code, key, args
}

// handlerFunc is a page or action: it writes a response or returns an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// page adapts a handlerFunc: an error becomes a translated error page (or a
// redirect to sign-in for errUnauthorized), and its detail goes to the log.
func (s *Server) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		code, key, args := status(err)
		if code == http.StatusUnauthorized {
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if code == 499 {
			return
		}
		if code >= 500 {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		} else {
			s.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
		}
		b := s.base(r, "")
		b.Title = b.T(fmt.Sprintf("error.%d.title", code))
		data := &errorPage{Base: b, Status: code, Message: b.T(key, args...)}
		s.render(w, r, code, "error", data)
	})
}

type errorPage struct {
	*Base
	Status  int
	Message string
}
