package survey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// A code token is what a printed QR code carries: the survey, the group
// and area it is bound to and its serial number, signed with the survey's
// server secret (HMAC-SHA256, truncated to 80 bits). Serial 0 is a
// survey's open link for a group (reusable, weaker evidence; the
// respondent chooses the area). Tokens are base32 without padding, in
// capitals, so a QR code holds them in its compact alphanumeric mode.

// Token is the content of a code.
type Token struct {
	Survey int64
	Group  int // index into Questionnaire.Groups
	Area   int // index into Questionnaire.Areas(); -1 for an open link
	Serial int64
}

// Open reports whether t is an open link rather than a single-use code.
func (t Token) Open() bool { return t.Serial == 0 }

const (
	tokenVersion = 1
	macLen       = 10
	maxTokenLen  = 64
)

// ErrToken is returned for a token that is malformed or not signed by the key.
var ErrToken = errors.New("survey: invalid code")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func mac(key []byte, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)[:macLen]
}

// Sign writes t as a token signed with key.
func Sign(key []byte, t Token) string {
	b := []byte{tokenVersion}
	b = binary.AppendUvarint(b, uint64(t.Survey))
	b = append(b, byte(t.Group), byte(t.Area+1))
	b = binary.AppendUvarint(b, uint64(t.Serial))
	b = append(b, mac(key, b)...)
	return b32.EncodeToString(b)
}

// ParseToken reads a token and checks its signature with key. It accepts
// lower case (a phone may lower-case a URL).
func ParseToken(key []byte, s string) (Token, error) {
	var t Token
	if len(s) == 0 || len(s) > maxTokenLen {
		return t, ErrToken
	}
	b, err := b32.DecodeString(strings.ToUpper(s))
	if err != nil || len(b) < 1+1+2+1+macLen || b[0] != tokenVersion {
		return t, ErrToken
	}
	body, sig := b[:len(b)-macLen], b[len(b)-macLen:]
	if !hmac.Equal(sig, mac(key, body)) {
		return t, ErrToken
	}
	p := body[1:]
	id, n := binary.Uvarint(p)
	if n <= 0 || id == 0 || id > 1<<53 {
		return t, ErrToken
	}
	p = p[n:]
	if len(p) < 3 {
		return t, ErrToken
	}
	t.Survey, t.Group, t.Area = int64(id), int(p[0]), int(p[1])-1
	p = p[2:]
	serial, n := binary.Uvarint(p)
	if n <= 0 || n != len(p) || serial > 1<<53 {
		return t, ErrToken
	}
	t.Serial = int64(serial)
	if (t.Serial == 0) != (t.Area == -1) {
		return t, ErrToken
	}
	return t, nil
}

// A start stamp is the signed time a respondent opened the form, carried
// by the form so the server alone measures how long the answers took; it
// is bound to the code token so it cannot be moved to another code.

// SignStart writes a start stamp for token at time at.
func SignStart(key []byte, token string, at time.Time) string {
	b := binary.AppendUvarint(nil, uint64(at.UnixMilli()))
	return b32.EncodeToString(append(b, mac(key, append([]byte("start:"+token+":"), b...))...))
}

// ParseStart reads a start stamp made for token.
func ParseStart(key []byte, token, s string) (time.Time, error) {
	if len(s) == 0 || len(s) > maxTokenLen {
		return time.Time{}, ErrToken
	}
	b, err := b32.DecodeString(strings.ToUpper(s))
	if err != nil || len(b) <= macLen {
		return time.Time{}, ErrToken
	}
	body, sig := b[:len(b)-macLen], b[len(b)-macLen:]
	if !hmac.Equal(sig, mac(key, append([]byte("start:"+token+":"), body...))) {
		return time.Time{}, ErrToken
	}
	ms, n := binary.Uvarint(body)
	if n != len(body) || ms > 1<<53 {
		return time.Time{}, ErrToken
	}
	return time.UnixMilli(int64(ms)).UTC(), nil
}

// AddressHash is the keyed hash of a respondent's network address kept
// for burst detection only: 64 bits of HMAC-SHA256, so the address itself
// is never stored and cannot be recovered without the secret.
func AddressHash(key []byte, addr string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("addr:" + addr))
	return b32.EncodeToString(m.Sum(nil)[:8])
}

// PeekSurvey reads the survey a token names without checking its
// signature, to find the key that checks it; ParseToken must follow.
func PeekSurvey(s string) (int64, bool) {
	if len(s) == 0 || len(s) > maxTokenLen {
		return 0, false
	}
	b, err := b32.DecodeString(strings.ToUpper(s))
	if err != nil || len(b) < 2 || b[0] != tokenVersion {
		return 0, false
	}
	id, n := binary.Uvarint(b[1:])
	if n <= 0 || id == 0 || id > 1<<53 {
		return 0, false
	}
	return int64(id), true
}
