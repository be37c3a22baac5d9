package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelarts-go/modelarts/internal/sdksign"
)

// MaxSignedBodyBytes is the largest body the API Gateway accepts on an
// AK/SK-signed request (12 MB).
const MaxSignedBodyBytes = 12 << 20

// AKSKOption configures NewAKSKSigner.
type AKSKOption func(*akskSigner)

// WithSecurityToken adds X-Security-Token (signed) for temporary
// credentials, as issued with a temporary AK/SK pair.
func WithSecurityToken(token string) AKSKOption {
	return func(s *akskSigner) { s.securityToken = token }
}

// akskSigner signs requests with SDK-HMAC-SHA256.
type akskSigner struct {
	ak, sk        string
	securityToken string
	now           func() time.Time
}

// NewAKSKSigner returns a Signer that signs every attempt with the API
// Gateway's SDK-HMAC-SHA256 algorithm: a fresh X-Sdk-Date, a signature over
// method, path, query, the host, x-sdk-date, x-project-id (when the request
// carries it) and x-security-token headers, and the SHA-256 of the exact body
// bytes sent.
func NewAKSKSigner(ak, sk string, opts ...AKSKOption) (Signer, error) {
	if ak == "" || sk == "" {
		return nil, errors.New("auth: NewAKSKSigner needs both an access key (AK) and a secret key (SK); one is empty")
	}
	s := &akskSigner{ak: ak, sk: sk, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

func (s *akskSigner) Sign(req *http.Request) error {
	body, err := readBodyForSigning(req)
	if err != nil {
		return err
	}
	date := s.now().UTC().Format(sdksign.DateFormat)
	req.Header.Set(sdksign.HeaderDate, date)
	if s.securityToken != "" {
		req.Header.Set(HeaderSecurityToken, s.securityToken)
	}

	// Sorted by name; only the headers the request carries.
	var buf [4]string
	signed := buf[:0]
	signed = append(signed, "host")
	if req.Header.Get(HeaderProjectID) != "" {
		signed = append(signed, "x-project-id")
	}
	signed = append(signed, "x-sdk-date")
	if s.securityToken != "" {
		signed = append(signed, "x-security-token")
	}

	cr, err := sdksign.CanonicalRequest(req, signed, sdksign.HashHex(body))
	if err != nil {
		return fmt.Errorf("auth: cannot sign %s %s: %w", req.Method, req.URL.Path, err)
	}
	sig := sdksign.Signature(s.sk, date, cr)
	req.Header.Set("Authorization", sdksign.AuthorizationHeader(s.ak, signed, sig))
	return nil
}

// readBodyForSigning returns the exact bytes that will be sent and leaves the
// request able to send them: from GetBody when the request has it, else by
// reading Body and putting an identical reader back.
func readBodyForSigning(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	var rc io.ReadCloser = req.Body
	fromCopy := req.GetBody != nil
	if fromCopy {
		var err error
		if rc, err = req.GetBody(); err != nil {
			return nil, fmt.Errorf("auth: cannot read the request body to sign it: %w", err)
		}
	}
	if br, ok := rc.(interface{ Bytes() []byte }); ok && fromCopy {
		// *bytes.Buffer: no copy needed, GetBody handed us our own buffer.
		b := br.Bytes()
		if len(b) > MaxSignedBodyBytes {
			return nil, errBodyTooLarge(len(b))
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(rc, MaxSignedBodyBytes+1))
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("auth: cannot read the request body to sign it: %w", err)
	}
	if len(b) > MaxSignedBodyBytes {
		return nil, errBodyTooLarge(len(b))
	}
	if !fromCopy {
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	return b, nil
}

func errBodyTooLarge(n int) error {
	return fmt.Errorf("auth: request body of more than %d bytes cannot be AK/SK-signed (the gateway limit is 12 MB)", n-1)
}

// String prints the signer with its access key (an identifier, like a user
// name) and without the secret key or security token.
func (s *akskSigner) String() string {
	tok := ""
	if s.securityToken != "" {
		tok = ", SecurityToken:" + Redacted
	}
	return "auth.AKSKSigner{AK:" + s.ak + ", SK:" + Redacted + tok + "}"
}

// GoString prints the redacted form for %#v.
func (s *akskSigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form.
func (s *akskSigner) Format(f fmtState, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the secret key out of slog records.
func (s *akskSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "aksk"), slog.String("ak", s.ak), slog.String("sk", Redacted))
}
