package modelartstest

import (
	"encoding/json"
	"net/http"
	"time"
)

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
	now := s.now().UTC()
	s.mu.Lock()
	s.tokens[tok] = true
	s.mu.Unlock()
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
		"expires_at": now.Add(24 * time.Hour).Format("2006-01-02T15:04:05.000000Z"),
		"issued_at":  now.Format("2006-01-02T15:04:05.000000Z"),
		"methods":    []string{"password"},
	}})
}

func iamError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": status, "message": msg, "title": http.StatusText(status),
	}})
}

// ExpireTokens makes every token the server issued or accepts expired
// (401 ModelArts.0202); IAM issues new ones on request.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok := range s.tokens {
		s.tokens[tok] = false
	}
}
