package sdksign

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

var verifyNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

const (
	testAK = "HPUAXR7YWRSNL8JQ1XKE"
	testSK = "secret-key-never-printed"
)

// signedRequest is what a client would send: a request signed at date over
// the headers listed in signed, with payload as the canonical request's last
// line.
type signedRequest struct {
	method, url string
	headers     map[string]string
	signed      []string
	body        string
	payload     string // "" means the hex SHA-256 of body
	date        time.Time
	ak, sk      string
}

func (s signedRequest) build(t *testing.T) *http.Request {
	t.Helper()
	r, err := http.NewRequest(s.method, s.url, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	date := s.date.Format(DateFormat)
	r.Header.Set(HeaderDate, date)
	for k, v := range s.headers {
		r.Header.Set(k, v)
	}
	payload := s.payload
	if payload == "" {
		payload = HashHex([]byte(s.body))
	}
	cr, err := CanonicalRequest(r, s.signed, payload)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", AuthorizationHeader(s.ak, s.signed, Signature(s.sk, date, cr)))
	return r
}

// officialStyle is signed the way the official Huawei Cloud SDK signs:
// user-agent, x-project-id and x-sdk-date, never host.
func officialStyle() signedRequest {
	return signedRequest{
		method: "POST", url: "http://127.0.0.1:8080/v1/p/images?limit=10&name=py%20torch",
		headers: map[string]string{"User-Agent": "huaweicloud-usdk-go/3.0", "X-Project-Id": "p", "Content-Type": "application/json"},
		signed:  []string{"user-agent", "x-project-id", "x-sdk-date"},
		body:    `{"swr_path":"swr.x/o/n:t"}`,
		date:    verifyNow, ak: testAK, sk: testSK,
	}
}

func keys(ak string) (string, bool) { return testSK, ak == testAK }

func TestVerify(t *testing.T) {
	type tc struct {
		name    string
		req     func() signedRequest
		mutate  func(r *http.Request) // after signing: what changed in transit
		body    string                // body received, when it differs from the one signed
		wantErr error                 // nil: accepted
	}
	with := func(f func(*signedRequest)) func() signedRequest {
		return func() signedRequest { s := officialStyle(); f(&s); return s }
	}
	cases := []tc{
		{name: "official SDK style, no host", req: officialStyle},
		{name: "our style with host", req: with(func(s *signedRequest) {
			s.signed = []string{"host", "x-project-id", "x-sdk-date"}
		})},
		{name: "only x-sdk-date", req: with(func(s *signedRequest) { s.signed = []string{"x-sdk-date"} })},
		{name: "security token signed", req: with(func(s *signedRequest) {
			s.headers["X-Security-Token"] = "temporary-token"
			s.signed = []string{"user-agent", "x-project-id", "x-sdk-date", "x-security-token"}
		})},
		{name: "GET with an empty body", req: with(func(s *signedRequest) { s.method, s.body = "GET", "" })},
		{name: "unsigned payload declared and signed, body differs", req: with(func(s *signedRequest) {
			s.headers[HeaderContentSHA256] = UnsignedPayload
			s.signed = []string{"user-agent", "x-project-id", "x-sdk-content-sha256", "x-sdk-date"}
			s.payload = UnsignedPayload
		}), body: "anything at all"},
		{name: "date 14 minutes behind", req: with(func(s *signedRequest) { s.date = verifyNow.Add(-14 * time.Minute) })},
		{name: "date 14 minutes ahead", req: with(func(s *signedRequest) { s.date = verifyNow.Add(14 * time.Minute) })},

		{name: "x-sdk-date not signed", req: with(func(s *signedRequest) {
			s.signed = []string{"host", "user-agent", "x-project-id"}
		}), wantErr: ErrMalformed},
		{name: "tampered body", req: officialStyle, body: `{"swr_path":"swr.x/o/evil:t"}`, wantErr: ErrSignatureMismatch},
		{name: "unsigned payload declared after signing the body hash", req: officialStyle,
			mutate: func(r *http.Request) { r.Header.Set(HeaderContentSHA256, UnsignedPayload) }, wantErr: ErrSignatureMismatch},
		{name: "stale date", req: with(func(s *signedRequest) { s.date = verifyNow.Add(-16 * time.Minute) }), wantErr: ErrExpired},
		{name: "date too far ahead", req: with(func(s *signedRequest) { s.date = verifyNow.Add(16 * time.Minute) }), wantErr: ErrExpired},
		{name: "wrong SK", req: with(func(s *signedRequest) { s.sk = "another-secret" }), wantErr: ErrSignatureMismatch},
		{name: "unknown AK", req: with(func(s *signedRequest) { s.ak = "UNKNOWNAK" }), wantErr: ErrUnknownAccessKey},
		{name: "signed header absent", req: with(func(s *signedRequest) {
			s.signed = []string{"user-agent", "x-extra", "x-project-id", "x-sdk-date"}
		}), wantErr: ErrMalformed},
		{name: "security token sent but not signed", req: officialStyle,
			mutate: func(r *http.Request) { r.Header.Set("X-Security-Token", "temporary-token") }, wantErr: ErrMalformed},
		{name: "security token changed", req: with(func(s *signedRequest) {
			s.headers["X-Security-Token"] = "temporary-token"
			s.signed = []string{"user-agent", "x-project-id", "x-sdk-date", "x-security-token"}
		}), mutate: func(r *http.Request) { r.Header.Set("X-Security-Token", "other") }, wantErr: ErrSignatureMismatch},
		{name: "signed header changed", req: officialStyle,
			mutate: func(r *http.Request) { r.Header.Set("X-Project-Id", "q") }, wantErr: ErrSignatureMismatch},
		{name: "date changed", req: officialStyle, mutate: func(r *http.Request) {
			r.Header.Set(HeaderDate, verifyNow.Add(time.Second).Format(DateFormat))
		}, wantErr: ErrSignatureMismatch},
		{name: "query changed", req: officialStyle,
			mutate: func(r *http.Request) { r.URL.RawQuery = "limit=11&name=py%20torch" }, wantErr: ErrSignatureMismatch},
		{name: "path changed", req: officialStyle,
			mutate: func(r *http.Request) { r.URL.Path = "/v1/p/images/other" }, wantErr: ErrSignatureMismatch},
		{name: "method changed", req: officialStyle, mutate: func(r *http.Request) { r.Method = "PUT" }, wantErr: ErrSignatureMismatch},
		{name: "no Authorization", req: officialStyle, mutate: func(r *http.Request) { r.Header.Del("Authorization") }, wantErr: ErrMalformed},
		{name: "another algorithm", req: officialStyle, mutate: func(r *http.Request) {
			r.Header.Set("Authorization", "SDK-HMAC-SM3 Access=AK, SignedHeaders=x-sdk-date, Signature=00")
		}, wantErr: ErrMalformed},
		{name: "date not in basic form", req: officialStyle, mutate: func(r *http.Request) {
			r.Header.Set(HeaderDate, verifyNow.Format(time.RFC3339))
		}, wantErr: ErrMalformed},
		{name: "unparsable query", req: officialStyle,
			mutate: func(r *http.Request) { r.URL.RawQuery = "bad=%zz" }, wantErr: ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.req()
			r := s.build(t)
			if c.mutate != nil {
				c.mutate(r)
			}
			body := s.body
			if c.body != "" {
				body = c.body
			}
			err := Verify(r, []byte(body), keys, verifyNow)
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("rejected: %v", err)
			case c.wantErr != nil && !errors.Is(err, c.wantErr):
				t.Fatalf("got %v, want an error matching %v", err, c.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), testSK) {
				t.Fatalf("the error shows the secret key: %v", err)
			}
		})
	}
}

func TestPayloadHash(t *testing.T) {
	r, _ := http.NewRequest("PUT", "http://x/", nil)
	if got := PayloadHash(r, nil); got != EmptyBodyHash {
		t.Errorf("empty body: %s", got)
	}
	if got := PayloadHash(r, []byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("abc: %s", got)
	}
	r.Header.Set(HeaderContentSHA256, UnsignedPayload)
	if got := PayloadHash(r, []byte("abc")); got != UnsignedPayload {
		t.Errorf("declared unsigned: %s", got)
	}
	r.Header.Set(HeaderContentSHA256, "something-else")
	if got := PayloadHash(r, nil); got != EmptyBodyHash {
		t.Errorf("another value is not a declaration: %s", got)
	}
}
