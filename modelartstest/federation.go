package modelartstest

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"time"
)

// IAM's two OIDC federation routes (CREDENTIALS.md): an id-token for an
// unscoped token, that token for temporary keys. Point
// auth.NewFederationSigner at the server's URL with identity provider
// IdentityProviderID and a file holding IDToken.
const (
	RouteIAMIDToken        Route = "POST /v3.0/OS-AUTH/id-token/tokens"
	RouteIAMSecurityTokens Route = "POST /v3.0/OS-CREDENTIAL/securitytokens"
)

var (
	_ = declarePublic(RouteIAMIDToken, (*Server).exchangeIDToken)
	_ = declarePublic(RouteIAMSecurityTokens, (*Server).issueSecurityToken)
)

// DefaultIdentityProvider is the identity provider IAM knows.
const DefaultIdentityProvider = "example-oidc-idp"

// federationState holds the id-token IAM accepts and the unscoped tokens
// it issued.
type federationState struct {
	idToken  string
	unscoped map[string]time.Time
}

// IdentityProviderID returns the identity provider the fake IAM knows.
func (s *Server) IdentityProviderID() string { return DefaultIdentityProvider }

// IDToken returns the OIDC id-token the fake IAM accepts now.
func (s *Server) IDToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idTokenLocked()
}

func (s *Server) idTokenLocked() string {
	st := partLocked[federationState](s)
	if st.idToken == "" {
		st.idToken = "eyJhbGciOiJSUzI1NiJ9.id-token-" + randomHex(24)
	}
	return st.idToken
}

// RotateIDToken replaces the id-token IAM accepts, as the issuer rotates
// it; it returns the new one, for the test to write to the token file.
func (s *Server) RotateIDToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	partLocked[federationState](s).idToken = ""
	return s.idTokenLocked()
}

func (s *Server) exchangeIDToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Auth struct {
			IDToken struct {
				ID string `json:"id"`
			} `json:"id_token"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		iamError(w, http.StatusBadRequest, "The request body is invalid.")
		return
	}
	if r.Header.Get("X-Idp-Id") != DefaultIdentityProvider {
		iamError(w, http.StatusNotFound, "The identity provider does not exist.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if subtle.ConstantTimeCompare([]byte(req.Auth.IDToken.ID), []byte(s.idTokenLocked())) != 1 {
		iamError(w, http.StatusUnauthorized, "The id-token is invalid or expired.")
		return
	}
	st := partLocked[federationState](s)
	if st.unscoped == nil {
		st.unscoped = map[string]time.Time{}
	}
	tok := "MIIunscoped-" + randomHex(24)
	exp := s.now().UTC().Add(tokenLifetime)
	st.unscoped[tok] = exp
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
		"expires_at": exp.Format("2006-01-02T15:04:05.000000Z"), "methods": []string{"mapped"},
	}})
}

func (s *Server) issueSecurityToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Auth struct {
			Identity struct {
				Methods []string `json:"methods"`
				Token   struct {
					ID              string `json:"id"`
					DurationSeconds int    `json:"duration_seconds"`
				} `json:"token"`
			} `json:"identity"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		iamError(w, http.StatusBadRequest, "The request body is invalid.")
		return
	}
	id := req.Auth.Identity
	if len(id.Methods) != 1 || id.Methods[0] != "token" || id.Token.DurationSeconds < 900 || id.Token.DurationSeconds > 86400 {
		iamError(w, http.StatusBadRequest, "methods must be [\"token\"] and duration_seconds 900 to 86400.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := partLocked[federationState](s).unscoped[id.Token.ID]
	if !ok || !s.now().Before(exp) {
		iamError(w, http.StatusUnauthorized, "The token is invalid or expired.")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"credential": s.issueLocked()})
}
