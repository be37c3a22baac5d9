package modelartstest

import (
	"encoding/json"
	"net/http"
	"time"
)

// RouteIAMToken is IAM's token issue, which needs no credentials.
const RouteIAMToken Route = "POST /v3/auth/tokens"

var _ = func() bool {
	apis = append(apis, api{route: RouteIAMToken, handle: (*Server).issueToken, public: true})
	return true
}()

// issueToken is IAM's POST /v3/auth/tokens for the password method.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
						Domain   struct {
							Name string `json:"name"`
						} `json:"domain"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope struct {
				Project struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		iamError(w, http.StatusBadRequest, "The request body is invalid.")
		return
	}
	u := req.Auth.Identity.Password.User
	if u.Name != s.iamUser || u.Password != s.iamPass || u.Domain.Name != s.iamDomain {
		iamError(w, http.StatusUnauthorized, "The username or password is wrong.")
		return
	}
	switch p := req.Auth.Scope.Project; {
	case p.ID == "" && p.Name == "":
		iamError(w, http.StatusBadRequest, "A project-scoped token is required.")
		return
	case p.ID != "" && p.ID != s.projectID:
		// The fake's IAM user has one project: a token scoped to another
		// would never be accepted by the service's project.
		iamError(w, http.StatusUnauthorized, "The user has no access to project "+p.ID+".")
		return
	}
	tok := "fake-iam-token-" + randomHex(16)
	s.mu.Lock()
	now := s.now().UTC()
	s.tokens[tok] = tokenState{expires: now.Add(tokenLifetime)}
	s.mu.Unlock()
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
		"expires_at": now.Add(tokenLifetime).Format("2006-01-02T15:04:05.000000Z"),
		"issued_at":  now.Format("2006-01-02T15:04:05.000000Z"),
		"methods":    []string{"password"},
	}})
}

func iamError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": status, "message": msg, "title": http.StatusText(status),
	}})
}

// tokenLifetime is how long an IAM token is valid, as IAM documents.
const tokenLifetime = 24 * time.Hour

// tokenState is a token the server knows: it expires at expires (zero:
// never, the token of WithToken) on the service's clock, or when
// ExpireTokens revoked it.
type tokenState struct {
	expires time.Time
	revoked bool
}

// tokenLocked reports whether the token is known and whether it is still
// valid.
func (s *Server) tokenLocked(tok string) (known, valid bool) {
	st, known := s.tokens[tok]
	if !known {
		return false, false
	}
	return true, !st.revoked && (st.expires.IsZero() || s.now().Before(st.expires))
}

// ExpireTokens makes every token the server issued or accepts expired
// (401 ModelArts.0202); IAM issues new ones on request. IAM tokens also
// expire 24 hours after they were issued, on the server's Clock.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok, st := range s.tokens {
		st.revoked = true
		s.tokens[tok] = st
	}
}
