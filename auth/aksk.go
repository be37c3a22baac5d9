package auth

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"

	"github.com/modelarts-go/modelarts/internal/redact"
	"github.com/modelarts-go/modelarts/internal/sdksign"
)

// MaxSignedBodyBytes is the largest body the API Gateway accepts on an
// AK/SK-signed request (12 MB).
const MaxSignedBodyBytes = 12 << 20

// AKSKOption configures NewAKSKSigner. Build one with WithSecurityToken. It
// is an interface with an unexported method, as every option of this SDK,
// so that only this package makes options and a bad value is recorded and
// refused by the constructor instead of panicking.
type AKSKOption interface{ applyAKSK(*AKSKSigner) }

// akskOptionFunc adapts a function to AKSKOption.
type akskOptionFunc func(*AKSKSigner)

func (f akskOptionFunc) applyAKSK(s *AKSKSigner) { f(s) }

// WithSecurityToken adds X-Security-Token (signed) for temporary
// credentials, as issued with a temporary AK/SK pair. NewAKSKSigner refuses
// an empty token.
func WithSecurityToken(token string) AKSKOption {
	return akskOptionFunc(func(s *AKSKSigner) {
		if strings.TrimSpace(token) == "" {
			s.optErr = errs.Invalidf("auth: NewAKSKSigner: WithSecurityToken was given an empty security token; drop the option for permanent keys")
			return
		}
		s.securityToken = newSecret(token)
	})
}

// AKSKSigner signs requests with the API Gateway's SDK-HMAC-SHA256
// algorithm. Build it with NewAKSKSigner; a zero AKSKSigner signs nothing and
// Validate says so.
type AKSKSigner struct {
	ak            secret // printed by its first four characters only
	securityToken secret // nil without temporary credentials
	now           func() time.Time
	mac           *sdksign.MAC // holds the SK out of reach of printers
	secrets       secretSet
	optErr        error
}

// NewAKSKSigner returns a signer that signs every attempt with the API
// Gateway's SDK-HMAC-SHA256 algorithm: a fresh X-Sdk-Date, a signature over
// method, path, query, the host, x-sdk-date, x-project-id (when the request
// carries it) and x-security-token headers, and the SHA-256 of the exact body
// bytes sent. An empty (or blank) ak or sk is refused; the error never shows
// either value.
func NewAKSKSigner(ak, sk string, opts ...AKSKOption) (*AKSKSigner, error) {
	var missing []string
	if strings.TrimSpace(ak) == "" {
		missing = append(missing, "access key (AK)")
	}
	if strings.TrimSpace(sk) == "" {
		missing = append(missing, "secret key (SK)")
	}
	if len(missing) > 0 {
		return nil, errs.Invalidf("auth: NewAKSKSigner: the %s is empty; pass both keys of the pair (see HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK)", strings.Join(missing, " and the "))
	}
	if len(sk) < redact.MinLen {
		return nil, errs.Invalidf("auth: NewAKSKSigner: the secret key is %d bytes, too short to be a real key (or to be kept out of error messages); pass the SK of the pair", len(sk))
	}
	s := &AKSKSigner{ak: newSecret(ak), now: time.Now, mac: sdksign.NewMAC(sk)}
	for _, o := range opts {
		if o == nil {
			return nil, errs.Invalidf("auth: NewAKSKSigner: an AKSKOption is nil")
		}
		o.applyAKSK(s)
	}
	if s.optErr != nil {
		return nil, s.optErr
	}
	secrets := []string{ak, sk}
	if s.securityToken != nil {
		secrets = append(secrets, s.securityToken())
	}
	s.secrets = newSecretSet(secrets...)
	return s, nil
}

var errAKSKNotNew = errs.Invalidf("auth: the AKSKSigner was not built by NewAKSKSigner; use auth.NewAKSKSigner(ak, sk)")

// Validate reports a signer that can never sign: one not built by
// NewAKSKSigner. A signer NewAKSKSigner returned is always valid.
func (s *AKSKSigner) Validate() error {
	if s == nil || s.mac == nil {
		return errAKSKNotNew
	}
	return nil
}

// RedactSecrets replaces the AK, the SK and the security token, in any
// encoding, with Redacted.
func (s *AKSKSigner) RedactSecrets(text string) string {
	if s == nil {
		return text
	}
	return s.secrets.redact(text)
}

// Sign stamps X-Sdk-Date (and X-Security-Token) and sets Authorization.
func (s *AKSKSigner) Sign(req *http.Request) error {
	if err := s.Validate(); err != nil {
		return err
	}
	bodySum, err := hashBody(req)
	if err != nil {
		return err
	}
	var dateBuf [len(sdksign.DateFormat)]byte
	date := string(s.now().UTC().AppendFormat(dateBuf[:0], sdksign.DateFormat))
	req.Header[sdksign.HeaderDate] = []string{date}
	if s.securityToken != nil {
		req.Header[HeaderSecurityToken] = []string{s.securityToken()}
	}

	// Sorted by name; only the headers the request carries.
	var buf [4]string
	signed := buf[:0]
	signed = append(signed, "host")
	if req.Header.Get(HeaderProjectID) != "" {
		signed = append(signed, "x-project-id")
	}
	signed = append(signed, "x-sdk-date")
	if s.securityToken != nil {
		signed = append(signed, "x-security-token")
	}

	authz, err := s.mac.SignRequest(req, s.ak(), date, signed, bodySum[:])
	if err != nil {
		return fmt.Errorf("auth: cannot sign %s %s: %w", req.Method, req.URL.Path, err)
	}
	req.Header["Authorization"] = []string{authz}
	return nil
}

// hashBody returns the SHA-256 of the exact bytes that will be sent, and
// leaves the request able to send them: it reads a copy from GetBody when
// the request has one, else it reads Body and puts an identical one back.
func hashBody(req *http.Request) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	if req.Body == nil || req.Body == http.NoBody {
		return sha256.Sum256(nil), nil
	}
	if req.ContentLength > MaxSignedBodyBytes {
		return sum, errBodyTooLarge(req.ContentLength)
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return sum, fmt.Errorf("auth: cannot read the request body to sign it: %w", err)
		}
		defer rc.Close()
		h := sha256.New()
		n, err := io.Copy(h, rc) // bytes.Reader and friends write straight into the hash
		if err != nil {
			return sum, fmt.Errorf("auth: cannot read the request body to sign it: %w", err)
		}
		if n > MaxSignedBodyBytes {
			return sum, errBodyTooLarge(n)
		}
		h.Sum(sum[:0])
		return sum, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, MaxSignedBodyBytes+1))
	req.Body.Close()
	if err != nil {
		return sum, fmt.Errorf("auth: cannot read the request body to sign it: %w", err)
	}
	if len(b) > MaxSignedBodyBytes {
		return sum, errBodyTooLarge(int64(len(b)))
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return sha256.Sum256(b), nil
}

func errBodyTooLarge(n int64) error {
	return fmt.Errorf("auth: a request body of %d bytes cannot be AK/SK-signed: the gateway limit is 12 MB", n)
}

// String prints the signer with no key: the access key is an identifier,
// but with the secret key it is the credential, so it is shown only by its
// first four characters, enough to tell two key pairs apart.
func (s *AKSKSigner) String() string {
	tok := ""
	if s.securityToken != nil {
		tok = ", SecurityToken:" + Redacted
	}
	return "auth.AKSKSigner{AK:" + akHint(s.ak.reveal()) + ", SK:" + Redacted + tok + "}"
}

// akHint is the printable hint of an access key: its first four
// characters, the rest redacted.
func akHint(ak string) string {
	if len(ak) <= 8 {
		return Redacted
	}
	return ak[:4] + "…" + Redacted
}

// GoString prints the redacted form for %#v.
func (s *AKSKSigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form, for the signer and
// for an AKSKSigner value (a copy of one) alike.
func (s AKSKSigner) Format(f fmt.State, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the secret key out of slog records.
func (s *AKSKSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "aksk"), slog.String("ak", akHint(s.ak.reveal())), slog.String("sk", Redacted))
}
